package io.pgsubset.reliability;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.TestDatabase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Command lines of the dump -> restore -> verify cycle the guarantee tests run again and again. */
final class Dumps {
    private Dumps() {
    }

    /** {@code pgsubset dump} of {@code source} into {@code out}, with {@code more} flags (a plan, --jobs). */
    static Cli.Result dump(TestDatabase source, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("dump"));
        args.addAll(source.connectionArgs());
        args.addAll(List.of("-o", out.toString()));
        args.addAll(List.of(more));
        return Cli.run(Map.of(), args);
    }

    /** Dumps and fails the test unless it worked. */
    static Manifest dumpOk(TestDatabase source, Path out, String... more) {
        Cli.Result r = dump(source, out, more);
        assertEquals(0, r.exitCode(), r::toString);
        return manifest(out);
    }

    static Path plan(Path dir, String yaml) {
        try {
            Path p = dir.resolve("plan.yaml");
            Files.writeString(p, yaml);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A test resource (a fixture's SQL) as text. */
    static String resource(String name) {
        try (java.io.InputStream in = Dumps.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Manifest manifest(Path dump) {
        return ManifestIO.read(dump);
    }

    /** schema.table -> rows, as the manifest records them. */
    static Map<String, Long> manifestRows(Manifest m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.tables().forEach(t -> out.put(t.schema() + "." + t.name(), t.rows()));
        return out;
    }

    /** schema.table -> rows + row digest: equal for two dumps of equal data. */
    static Map<String, String> manifestContent(Manifest m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.tables().forEach(t -> out.put(t.schema() + "." + t.name(), t.rows() + " " + t.rowDigest()));
        return out;
    }

    static Cli.Result restore(TestDatabase target, Path dump, String... more) {
        List<String> args = new ArrayList<>(List.of("restore", dump.toString()));
        args.addAll(target.connectionArgs());
        args.addAll(List.of(more));
        return Cli.run(Map.of(), args);
    }

    static Cli.Result verify(TestDatabase target, Path dump) {
        List<String> args = new ArrayList<>(List.of("verify", dump.toString()));
        args.addAll(target.connectionArgs());
        return Cli.run(Map.of(), args);
    }

    /** Runs the dump's own restore.sh against {@code target}; returns exit code and output. */
    static Cli.Result restoreSh(Path dump, TestDatabase target, String... more) {
        List<String> argv = new ArrayList<>(List.of("bash", dump.resolve("restore.sh").toString()));
        argv.addAll(List.of("-h", target.cluster().host(), "-p", Integer.toString(target.cluster().port()), "-U",
                PgCluster.SUPERUSER, "-d", target.name()));
        argv.addAll(List.of(more));
        try {
            Path out = Files.createTempFile("restore-sh-", ".out");
            Path err = Files.createTempFile("restore-sh-", ".err");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> env = new HashMap<>(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                    "HOME", System.getProperty("java.io.tmpdir")));
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("restore.sh did not finish in 5 minutes");
            }
            Cli.Result r = new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every file of a dump directory (and the directory's siblings' names), as text, for leak checks. */
    static String allText(Path dir) {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                sb.append(f).append('\n').append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    /**
     * Asserts a failed command said what went wrong clearly: one {@code pgsubset: error:} line (or,
     * for a bad plan, its {@code FILE:LINE:COL:} problems), no stack trace, and the exit code.
     */
    static void assertOneClearError(Cli.Result r, int exitCode) {
        assertEquals(exitCode, r.exitCode(), r::toString);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), () -> "stack trace:\n" + r);
        // the generic handler's hint marks a failure nobody anticipated (no PgsubsetException)
        assertFalse(r.err().contains("run again with --verbose"), () -> "unanticipated failure:\n" + r);
        long errors = r.err().lines().filter(l -> l.startsWith("pgsubset: error:")).count();
        long planProblems = r.err().lines().filter(l -> l.matches("^\\S+:\\d+:\\d+: .*")).count();
        assertTrue(errors == 1 || errors == 0 && planProblems > 0, () -> "exactly one error line:\n" + r);
    }
}
