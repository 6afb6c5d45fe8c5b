package io.pgsubset.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The build's release artifacts (target/pgsubset-VERSION.tar.gz and the .deb) and the programs that check them. */
final class Release {
    static final String VERSION = System.getProperty("project.version", "0.1.0");
    static final Path PROJECT = Path.of(System.getProperty("user.dir"));
    static final Path TARBALL = PROJECT.resolve("target/pgsubset-" + VERSION + ".tar.gz");
    static final Path DEB = PROJECT.resolve("target/pgsubset_" + VERSION + "_all.deb");

    record Run(int exitCode, String out, String err) {
    }

    private Release() {
    }

    /** Unpacks the tarball into {@code dir}; returns its top directory (pgsubset-VERSION). */
    static Path unpack(Path dir) throws Exception {
        Run tar = run(dir, Map.of(), List.of("tar", "-xzf", TARBALL.toString()));
        assertEquals(0, tar.exitCode(), tar::toString);
        return dir.resolve("pgsubset-" + VERSION);
    }

    /** Runs {@code argv} in {@code cwd} with PGSUBSET_* and XDG_* of this JVM removed and {@code env} added. */
    static Run run(Path cwd, Map<String, String> env, List<String> argv) throws Exception {
        Path out = Files.createTempFile("release", ".out");
        Path err = Files.createTempFile("release", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().keySet().removeIf(k -> k.startsWith("PGSUBSET_") || k.startsWith("XDG_"));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(argv + " did not finish within 5 minutes");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** "pgsubset VERSION (commit C)" where C is the source tree's HEAD (abbreviated, "-dirty" when changed). */
    static void assertVersionLine(String line) throws Exception {
        Run head = run(PROJECT, Map.of(), List.of("git", "rev-parse", "HEAD"));
        assertEquals(0, head.exitCode(), head::toString);
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("pgsubset " + java.util.regex.Pattern.quote(VERSION) + " \\(commit ([0-9a-f]{7,40})(-dirty)?\\)\n")
                .matcher(line);
        if (!m.matches() || !head.out().startsWith(m.group(1))) {
            throw new AssertionError("expected pgsubset " + VERSION + " (commit " + head.out().strip()
                    + " abbreviated), got: " + line);
        }
    }
}
