package io.pgsubset.cli;

import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/pgsubset as users run it, on the packaged jar (an integration test: it needs
 * target/pgsubset.jar). The launcher's class-data-sharing archive must speed up starts and never
 * change what a command prints or returns, whatever state the archive is in.
 */
@PgTest
class LauncherIT {
    private record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE parent (id int PRIMARY KEY, name text);
                CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);
                INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 100) g;
                INSERT INTO child SELECT g, 1 + g % 100 FROM generate_series(1, 1000) g;
                """);
    }

    /** A copy of the launcher and the jar in {@code home}, so the real target/ is left alone. */
    private static Path install(Path home) throws IOException {
        Path root = Path.of(System.getProperty("user.dir"));
        Files.createDirectories(home.resolve("scripts"));
        Files.createDirectories(home.resolve("target"));
        Path launcher = home.resolve("scripts/pgsubset");
        Files.copy(root.resolve("scripts/pgsubset"), launcher);
        Files.copy(root.resolve("target/pgsubset.jar"), home.resolve("target/pgsubset.jar"),
                StandardCopyOption.COPY_ATTRIBUTES);
        return launcher;
    }

    private static Run run(Path launcher, List<String> args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(launcher.toString()));
        argv.addAll(args);
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        Process p = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int code = p.waitFor();
        return new Run(code, Files.readString(out), Files.readString(err));
    }

    private static List<String> dump(TestDatabase db, Path out) {
        List<String> args = new ArrayList<>(List.of("dump", "--quiet", "--output", out.toString()));
        args.addAll(db.connectionArgs());
        return args;
    }

    private static List<String> sizes(TestDatabase db) {
        List<String> args = new ArrayList<>(List.of("sizes", "--format", "json"));
        args.addAll(db.connectionArgs());
        return args;
    }

    /** A dump's summary without what differs between two runs: its directory and its duration. */
    private static String normalized(String out, Path dir) {
        return out.replace(dir.toString(), "DIR").replaceAll("in [0-9.]+ s", "in N s")
                .replaceAll("snapshot [0-9T:.Z-]+", "snapshot S");
    }

    private static List<String> leftovers(Path target) throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
        }
    }

    @Test
    void theFirstDumpWritesTheArchiveAndLaterRunsPrintTheSame(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path launcher = install(tmp.resolve("home"));
        Path jsa = tmp.resolve("home/target/pgsubset.jsa");
        Run before = run(launcher, sizes(db));
        assertEquals(0, before.exitCode(), before::toString);
        assertFalse(Files.exists(jsa), "only a dump writes the archive");

        Run help = run(launcher, List.of("dump", "--help"));
        assertEquals(0, help.exitCode(), help::toString);
        assertFalse(Files.exists(jsa), "dump --help loads too few classes to be worth an archive");

        Run first = run(launcher, dump(db, tmp.resolve("d1")));
        assertEquals(0, first.exitCode(), first::toString);
        assertTrue(Files.size(jsa) > 0, "the first dump wrote the archive");
        assertEquals(List.of(), leftovers(jsa.getParent()));

        Run second = run(launcher, dump(db, tmp.resolve("d2")));
        assertEquals(0, second.exitCode(), second::toString);
        assertEquals(first.err(), second.err());
        assertEquals(normalized(first.out(), tmp.resolve("d1")), normalized(second.out(), tmp.resolve("d2")));
        Run after = run(launcher, sizes(db));
        assertEquals(0, after.exitCode(), after::toString);
        assertEquals(before.out(), after.out(), "sizes with the archive prints what it printed without");
        assertEquals("", after.err());
    }

    @Test
    void aCorruptOrStaleArchiveIsIgnoredSilentlyAndRewrittenByTheNextDump(TestDatabase db, @TempDir Path tmp)
            throws Exception {
        Path launcher = install(tmp.resolve("home"));
        Path jar = tmp.resolve("home/target/pgsubset.jar");
        Path jsa = tmp.resolve("home/target/pgsubset.jsa");
        Files.writeString(jsa, "not a CDS archive");
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.now().plusSeconds(60)));
        Run corrupt = run(launcher, sizes(db));
        assertEquals(0, corrupt.exitCode(), corrupt::toString);
        assertEquals("", corrupt.err(), "a corrupt archive must not print warnings");
        assertTrue(corrupt.out().startsWith("{") || corrupt.out().startsWith("["), corrupt.out());

        // A rebuilt jar makes the archive stale: the next dump replaces it.
        FileTime built = Files.getLastModifiedTime(jar);
        Files.setLastModifiedTime(jsa, FileTime.from(built.toInstant().minusSeconds(60)));
        Run dump = run(launcher, dump(db, tmp.resolve("d")));
        assertEquals(0, dump.exitCode(), dump::toString);
        assertTrue(Files.getLastModifiedTime(jsa).compareTo(built) > 0, "the stale archive was rewritten");
        assertTrue(Files.size(jsa) > 1000, "a real archive replaced the corrupt one");
    }

    @Test
    void aFailedDumpLeavesNoArchive(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path launcher = install(tmp.resolve("home"));
        List<String> args = dump(db, tmp.resolve("d"));
        args.add("--plan");
        args.add(tmp.resolve("missing.yaml").toString());
        Run failed = run(launcher, args);
        assertEquals(2, failed.exitCode(), failed::toString);
        assertFalse(Files.exists(tmp.resolve("home/target/pgsubset.jsa")));
        assertEquals(List.of(), leftovers(tmp.resolve("home/target")));
    }
}
