package io.pgsubset.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the server binaries: PGBIN, then {@code pg_config --bindir}, then /usr/lib/postgresql/*&#47;bin. */
public final class PgBinaries {
    private PgBinaries() {
    }

    public static Path find() {
        return fromEnv().or(PgBinaries::fromPgConfig).or(PgBinaries::fromDebian)
                .orElseThrow(() -> new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl) not found: "
                        + "set PGBIN or install them (Debian: apt-get install postgresql)"));
    }

    private static boolean hasServer(Path dir) {
        return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl"));
    }

    private static Optional<Path> fromEnv() {
        return Optional.ofNullable(System.getenv("PGBIN")).map(Path::of).filter(PgBinaries::hasServer);
    }

    private static Optional<Path> fromPgConfig() {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? Optional.of(Path.of(out)).filter(PgBinaries::hasServer) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Optional<Path> fromDebian() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> d.getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingInt(d -> Integer.parseInt(d.getFileName().toString())))
                    .map(d -> d.resolve("bin"))
                    .filter(PgBinaries::hasServer);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
