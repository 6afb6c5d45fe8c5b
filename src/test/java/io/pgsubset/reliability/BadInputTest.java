package io.pgsubset.reliability;

import io.pgsubset.testing.Cli;
import io.pgsubset.testing.DbState;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import io.pgsubset.tools.PgPrograms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guarantee 6 (clear): every mistake a user can make with a dump or a dump directory gets one
 * line on stderr ("pgsubset: error: ..."), the right exit code and no stack trace; and nothing is
 * written where it should not be. Plan file mistakes, class by class, are covered by the plan
 * tests (PlanCheck and PlanResolution tests); here one of them goes through {@code dump}.
 * Connection failures of every command share {@code Connector}, tested in ConnectionTest for
 * sizes and here for dump.
 */
@PgTest
class BadInputTest {
    @TempDir
    static Path shared;
    static Path goodDump;

    @BeforeAll
    static void fixture(TestDatabase db) {
        db.execute("""
                CREATE TABLE parent (id int PRIMARY KEY, name text);
                CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);
                INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 100) g;
                INSERT INTO child SELECT g, 1 + g % 100 FROM generate_series(1, 300) g;
                """);
        goodDump = shared.resolve("good");
        Dumps.dumpOk(db, goodDump);
    }

    private static List<String> dumpArgs(String host, int port, String db, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("dump", "-h", host, "-p", Integer.toString(port), "-U",
                "postgres", "-d", db, "-w", "-o", out.toString()));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void unreachableServerExitsWith1NamingIt(@TempDir Path tmp) throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Cli.Result r = Cli.run(Map.of(), dumpArgs("127.0.0.1", closed, "x", tmp.resolve("out")));
        Dumps.assertOneClearError(r, 1);
        assertTrue(r.err().contains("127.0.0.1:" + closed), r::toString);
        assertFalse(Files.exists(tmp.resolve("out")));
        assertEquals(List.of(), listing(tmp));
    }

    @Test
    void missingDatabaseExitsWith2NamingIt(TestDatabase db, @TempDir Path tmp) {
        Cli.Result r = Cli.run(Map.of(), dumpArgs(db.cluster().host(), db.cluster().port(), "no_such_db",
                tmp.resolve("out")));
        Dumps.assertOneClearError(r, 2);
        assertTrue(r.err().contains("\"no_such_db\" does not exist"), r::toString);
        assertEquals(List.of(), listing(tmp));
    }

    @Test
    void wrongPasswordExitsWith1WithoutShowingIt(TestDatabase db, @TempDir Path tmp) {
        db.execute("DROP ROLE IF EXISTS pgsubset_badinput_pw; CREATE ROLE pgsubset_badinput_pw LOGIN PASSWORD 'right' "
                + "IN ROLE " + io.pgsubset.testing.PgCluster.PASSWORD_GROUP);
        List<String> args = dumpArgs(db.cluster().host(), db.cluster().port(), db.name(), tmp.resolve("out"));
        args.set(args.indexOf("postgres"), "pgsubset_badinput_pw");
        Cli.Result r = Cli.run(Map.of("PGPASSWORD", "Wr0ngSecret"), args);
        Dumps.assertOneClearError(r, 1);
        assertTrue(r.err().contains("password authentication failed"), r::toString);
        assertFalse(r.err().contains("Wr0ngSecret"), r::toString);
        assertEquals(List.of(), listing(tmp));
    }

    @Test
    void missingPgDumpExitsWith1SayingWhatToInstall(TestDatabase db, @TempDir Path tmp) {
        Cli.Result r = Cli.run(Map.of(), dumpArgs(db.cluster().host(), db.cluster().port(), db.name(),
                tmp.resolve("out"), "--pg-dump", tmp.resolve("nowhere/pg_dump").toString()));
        Dumps.assertOneClearError(r, 1);
        assertTrue(r.err().contains("pg_dump not found"), r::toString);
        assertEquals(List.of(), listing(tmp));
    }

    @Test
    void missingPgDumpIsTheOneErrorWhenTheServerIsUnreachableToo(@TempDir Path tmp) throws IOException {
        // pg_dump is looked up while the dump connects: its failure still comes first, as when it was looked up before
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Cli.Result r = Cli.run(Map.of(), dumpArgs("127.0.0.1", closed, "x", tmp.resolve("out"), "--pg-dump",
                tmp.resolve("nowhere/pg_dump").toString()));
        Dumps.assertOneClearError(r, 1);
        assertTrue(r.err().contains("pg_dump not found"), r::toString);
        assertFalse(r.err().contains("127.0.0.1"), r::toString);
        assertEquals(List.of(), listing(tmp));
    }

    @Test
    void aPgDumpSlowToAnswerIsWaitedForWhileTheDumpConnects(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path realPgDump = new PgPrograms(System.getenv()).find("pg_dump", Optional.empty()).path();
        Path slow = bin.resolve("pg_dump");
        Files.writeString(slow, "#!/bin/sh\nsleep 0.5\nexec '" + realPgDump + "' \"$@\"\n");
        Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(bin.resolve("pg_restore"), realPgDump.resolveSibling("pg_restore"));
        Cli.Result r = Cli.run(Map.of(), dumpArgs(db.cluster().host(), db.cluster().port(), db.name(),
                tmp.resolve("out"), "--pg-dump", slow.toString(), "--verbose"));
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().contains("schema written by " + slow), r::toString);
        assertTrue(Files.exists(tmp.resolve("out/manifest.json")), r::toString);
    }

    @Test
    void tooOldPgDumpExitsWith1NamingBothVersions(TestDatabase db, @TempDir Path tmp) throws IOException {
        Path old = tmp.resolve("pg_dump");
        Files.writeString(old, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 11.22'\n");
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rwxr-xr-x"));
        Cli.Result r = Cli.run(Map.of(), dumpArgs(db.cluster().host(), db.cluster().port(), db.name(),
                tmp.resolve("out"), "--pg-dump", old.toString()));
        Dumps.assertOneClearError(r, 1);
        assertTrue(r.err().contains("pg_dump 11") && r.err().contains("older than the server"), r::toString);
        assertFalse(Files.exists(tmp.resolve("out")));
        assertEquals(List.of("pg_dump"), listing(tmp));
    }

    @Test
    void pgRestoreOlderThanThePgDumpBesideItExitsWith1(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path realPgDump = new io.pgsubset.tools.PgPrograms(System.getenv()).find("pg_dump", java.util.Optional.empty()).path();
        Files.createSymbolicLink(bin.resolve("pg_dump"), realPgDump);
        Path old = bin.resolve("pg_restore");
        Files.writeString(old, "#!/bin/sh\necho 'pg_restore (PostgreSQL) 11.22'\n");
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rwxr-xr-x"));
        Cli.Result r = Cli.run(Map.of(), dumpArgs(db.cluster().host(), db.cluster().port(), db.name(),
                tmp.resolve("out"), "--pg-dump", bin.resolve("pg_dump").toString()));
        Dumps.assertOneClearError(r, 1);
        assertTrue(r.err().contains("pg_restore 11") && r.err().contains("whose archive it reads"), r::toString);
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void existingOutputDirectoryIsRefusedWith2AndKept(TestDatabase db, @TempDir Path tmp) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("precious.txt"), "mine");
        Cli.Result r = Dumps.dump(db, out);
        Dumps.assertOneClearError(r, 2);
        assertTrue(r.err().contains("already exists"), r::toString);
        assertEquals("mine", Files.readString(out.resolve("precious.txt")));
    }

    @Test
    void unwritableOutputDirectoryExitsWithOneMessage(TestDatabase db) {
        // /proc refuses new entries even to root, which ignores file permissions
        Cli.Result r = Dumps.dump(db, Path.of("/proc/pgsubset-cannot-write-here"));
        Dumps.assertOneClearError(r, 1); // a disk that refuses the write: a runtime failure
        // what the system said, not only the path (Java keeps it in the exception's type)
        assertTrue(r.err().contains("/proc") && r.err().contains(": no such file or directory"), r::toString);
    }

    @Test
    void badPlanExitsWith2WithFileLineAndColumn(TestDatabase db, @TempDir Path tmp) {
        Path plan = Dumps.plan(tmp, "version: 1\nsample:\n  parnet:\n    every: 3\n");
        Cli.Result r = Dumps.dump(db, tmp.resolve("out"), "--plan", plan.toString());
        assertEquals(2, r.exitCode(), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);
        assertTrue(r.err().contains("plan.yaml:3:3"), r::toString);
        assertTrue(r.err().contains("parent"), "suggests the right name: " + r);
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    /** A damaged copy of the good dump. */
    private interface Damage {
        void apply(Path dump) throws IOException;
    }

    private static Path damaged(Path tmp, Damage damage) throws IOException {
        Path copy = tmp.resolve("dump");
        try (Stream<Path> files = Files.walk(goodDump)) {
            for (Path f : files.toList()) {
                Path to = copy.resolve(goodDump.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        damage.apply(copy);
        return copy;
    }

    private static Path dataFile(Path dump) {
        return dump.resolve(Dumps.manifest(goodDump).tables().stream().filter(t -> t.name().equals("child"))
                .findFirst().orElseThrow().file());
    }

    /** restore and restore.sh refuse a damaged dump with one message naming the problem; the target stays empty. */
    private static void assertRestoreRefuses(TestDatabase db, Path tmp, Damage damage, String expected)
            throws IOException {
        assertRestoreRefuses(db, tmp, damage, expected, true);
    }

    private static void assertRestoreRefuses(TestDatabase db, Path tmp, Damage damage, String expected,
                                             boolean restoreShToo) throws IOException {
        Path dump = damaged(tmp, damage);
        TestDatabase target = db.sibling("damaged");
        DbState empty = DbState.of(target);
        Cli.Result r = Dumps.restore(target, dump);
        Dumps.assertOneClearError(r, 2); // README: a damaged dump is refused with exit 2
        assertTrue(r.err().contains(expected), () -> "expected \"" + expected + "\" in:\n" + r);
        assertEquals(empty, DbState.of(target), "a refused restore changed the target");
        if (restoreShToo) {
            Cli.Result sh = Dumps.restoreSh(dump, target);
            assertEquals(2, sh.exitCode(), sh::toString);
            assertEquals(1, sh.err().lines().filter(l -> l.startsWith("restore.sh: error:")).count(), sh::toString);
            assertTrue(sh.err().contains(expected), () -> "expected \"" + expected + "\" in:\n" + sh);
            assertEquals(empty, DbState.of(target), "a refused restore.sh changed the target");
        }
    }

    @Test
    void missingManifestIsRefused(TestDatabase db, @TempDir Path tmp) throws IOException {
        assertRestoreRefuses(db, tmp, d -> Files.delete(d.resolve("manifest.json")), "manifest.json");
        Dumps.assertOneClearError(Dumps.verify(db, tmp.resolve("dump")), 2);
    }

    @Test
    void corruptedManifestIsRefused(TestDatabase db, @TempDir Path tmp) throws IOException {
        assertRestoreRefuses(db, tmp, d -> Files.writeString(d.resolve("manifest.json"), "{\"format_version\": 1, \"tab"),
                "manifest.json");
        Dumps.assertOneClearError(Dumps.verify(db, tmp.resolve("dump")), 2);
    }

    @Test
    void aManifestChangedButStillValidJsonIsRefusedByRestoreSh(TestDatabase db, @TempDir Path tmp)
            throws IOException {
        // restore.sh never parses the manifest: it checks the manifest's own sha256, baked into the script
        Path dump = damaged(tmp, d -> {
            Path m = d.resolve("manifest.json");
            Files.writeString(m, Files.readString(m).replace("\"rows\" : 300", "\"rows\" : 301"));
        });
        assertNotEquals(Files.readString(goodDump.resolve("manifest.json")),
                Files.readString(dump.resolve("manifest.json")));
        TestDatabase target = db.sibling("editedmanifest");
        DbState empty = DbState.of(target);
        Cli.Result sh = Dumps.restoreSh(dump, target);
        assertEquals(2, sh.exitCode(), sh::toString);
        assertTrue(sh.err().contains("manifest.json") && sh.err().contains("sha256"), sh::toString);
        assertEquals(empty, DbState.of(target), "a refused restore.sh changed the target");
    }

    @Test
    void manifestOfAnOlderFormatIsRefusedByRestoreAndVerify(TestDatabase db, @TempDir Path tmp) throws IOException {
        // format 1 carried row digests of another algorithm: verify would report every table as changed
        assertRestoreRefuses(db, tmp, d -> {
            Path m = d.resolve("manifest.json");
            Files.writeString(m, Files.readString(m).replaceFirst("\"format_version\" : \\d+", "\"format_version\" : 1"));
        }, "manifest format 1 is not supported", false);
        Cli.Result v = Dumps.verify(db, tmp.resolve("dump"));
        assertEquals(2, v.exitCode(), v::toString);
        assertTrue(v.err().contains("dump again with this version"), v::toString);
    }

    @Test
    void missingDataFileIsRefused(TestDatabase db, @TempDir Path tmp) throws IOException {
        assertRestoreRefuses(db, tmp, d -> Files.delete(dataFile(d)), "public.child");
    }

    @Test
    void truncatedDataFileIsRefused(TestDatabase db, @TempDir Path tmp) throws IOException {
        assertRestoreRefuses(db, tmp, d -> {
            byte[] all = Files.readAllBytes(dataFile(d));
            Files.write(dataFile(d), java.util.Arrays.copyOf(all, all.length / 2));
        }, "public.child");
    }

    @Test
    void checksumMismatchIsRefused(TestDatabase db, @TempDir Path tmp) throws IOException {
        // same size, a non-key value changed to another valid parent: a row COPY and every constraint
        // accept, but not the row that was dumped; only the checksum can refuse it
        assertRestoreRefuses(db, tmp, d -> {
            String csv = Files.readString(dataFile(d));
            assertTrue(csv.contains("\n300,1\n"), csv);
            Files.writeString(dataFile(d), csv.replace("\n300,1\n", "\n300,2\n"));
        }, "sha256");
    }

    static List<String> listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
