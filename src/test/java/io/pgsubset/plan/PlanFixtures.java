package io.pgsubset.plan;

import io.pgsubset.testing.TestDatabase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Loads the project's SQL fixtures into a test database with psql, as an administrator would. */
final class PlanFixtures {
    private PlanFixtures() {
    }

    static Path repo(String relative) {
        return Path.of(System.getProperty("user.dir")).resolve(relative);
    }

    /** scripts/sql/production-shape.sql with {@code files} waveform files (26 traces each). */
    static void productionShape(TestDatabase db, int files) {
        psql(db, repo("scripts/sql/production-shape.sql"), List.of("-v", "files=" + files, "-v", "payload=32"));
    }

    /** The public chinook dataset, without its own DROP/CREATE DATABASE and \c lines. */
    static void chinook(TestDatabase db) {
        Path source = repo("../shared/datasets/chinook/chinook.sql");
        if (!Files.exists(source)) {
            source = Path.of("/work/shared/datasets/chinook/chinook.sql");
        }
        try {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(source, StandardCharsets.UTF_8)) {
                String l = line.strip();
                if (!l.startsWith("DROP DATABASE") && !l.startsWith("CREATE DATABASE") && !l.startsWith("\\c")) {
                    kept.add(line);
                }
            }
            Path filtered = Files.createTempFile("chinook", ".sql");
            Files.write(filtered, kept, StandardCharsets.UTF_8);
            filtered.toFile().deleteOnExit();
            psql(db, filtered, List.of());
            db.execute("ANALYZE");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void psql(TestDatabase db, Path script, List<String> vars) {
        List<String> cmd = new ArrayList<>(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"));
        cmd.addAll(vars);
        cmd.addAll(List.of("-f", script.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PG"));
        env.putAll(db.libpqEnv());
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("psql -f " + script + " failed:\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
