package io.pgsubset.restore;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@PgTest
class RestoreScriptTest {
    static final String HOSTILE = """
            CREATE SCHEMA "we""ird $(touch /tmp/pgsubset-pwned) schema";
            CREATE TABLE "we""ird $(touch /tmp/pgsubset-pwned) schema"."x""; drop table y; --" (
              id int PRIMARY KEY, "col
            with newline" text, "it's `touch /tmp/pgsubset-pwned`" text);
            INSERT INTO "we""ird $(touch /tmp/pgsubset-pwned) schema"."x""; drop table y; --"
              VALUES (1, 'a', 'b'), (2, E'line\\nbreak', '\\.'), (3, NULL, '');
            CREATE TABLE y (id serial PRIMARY KEY,
              x_id int REFERENCES "we""ird $(touch /tmp/pgsubset-pwned) schema"."x""; drop table y; --"(id));
            INSERT INTO y (x_id) VALUES (1), (2), (NULL);
            CREATE TABLE "Mixed Case" ("Id" bigint PRIMARY KEY, "a,b" text DEFAULT 'x', g int GENERATED ALWAYS AS ("Id" * 2) STORED);
            INSERT INTO "Mixed Case" ("Id") SELECT generate_series(1, 1000);
            CREATE INDEX ON "Mixed Case" ("a,b");
            """;

    static Path dumpDir;
    static Manifest manifest;

    @BeforeAll
    static void dump(TestDatabase db, @TempDir Path tmp) throws Exception {
        db.execute(HOSTILE);
        dumpDir = tmp.resolve("out");
        manifest = TestDumps.dump(db, dumpDir, false);
    }

    @Test
    void restoresHostileNamesIntoANewDatabaseWithCreateAndOwner(TestDatabase db) throws Exception {
        String name = db.name() + "_new \"'$x";
        String role = "dev owner '\"$(touch /tmp/pgsubset-pwned)";
        Files.deleteIfExists(Path.of("/tmp/pgsubset-pwned"));
        var r = TestDumps.runScript(dumpDir, db.libpqEnv(), "--create", "--owner", role, "-d", name);
        try {
            assertEquals(0, r.exitCode(), r::toString);
            assertFalse(Files.exists(Path.of("/tmp/pgsubset-pwned")), "a name was executed by bash");
            TestDatabase restored = db.existing(name);
            TestTargets.assertSameRows(db, restored, manifest);
            assertEquals(role, restored.queryValue("SELECT pg_get_userbyid(datdba) FROM pg_database"
                    + " WHERE datname = current_database()"));
            assertEquals("3", restored.queryValue("SELECT count(*) FROM y"));
            assertTrue(r.out().contains("1000          1000  public.Mixed Case"), r.out());
            assertEquals("1", restored.queryValue("SELECT count(*) FROM pg_constraint WHERE contype = 'f'"),
                    "post-data created the foreign key");
            assertEquals(db.queryValue("SELECT last_value FROM y_id_seq"),
                    restored.queryValue("SELECT last_value FROM y_id_seq"));
            assertTrue(Long.parseLong(restored.queryValue("SELECT coalesce(max(n_live_tup), -1) FROM"
                    + " pg_stat_user_tables WHERE relname = 'Mixed Case'")) >= 0);
            assertEquals("t", restored.queryValue("SELECT relpages > 0 AND relallvisible = relpages FROM pg_class"
                    + " WHERE relname = 'Mixed Case'"), "COPY FREEZE marks every page all-visible");
        } finally {
            TestTargets.drop(db, name);
        }
    }

    @Test
    void refusesANonEmptyTargetWithoutCleanAndReplacesItWithClean(TestDatabase db) throws Exception {
        TestDatabase target = db.sibling("full");
        target.execute("CREATE TABLE keepme (i int); INSERT INTO keepme VALUES (1); CREATE EXTENSION pg_trgm;");
        var refused = TestDumps.runScript(dumpDir, target.libpqEnv());
        assertEquals(2, refused.exitCode(), refused::toString);
        assertTrue(refused.err().contains("is not empty") && refused.err().contains("--clean"), refused.err());
        assertEquals("1", target.queryValue("SELECT count(*) FROM keepme"));

        var cleaned = TestDumps.runScript(dumpDir, target.libpqEnv(), "--clean");
        assertEquals(0, cleaned.exitCode(), cleaned::toString);
        assertEquals("0", target.queryValue("SELECT count(*) FROM pg_class WHERE relname = 'keepme'"));
        assertEquals("0", target.queryValue("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"));
        TestTargets.assertSameRows(db, target, manifest);

        var again = TestDumps.runScript(dumpDir, target.libpqEnv(), "--clean");
        assertEquals(0, again.exitCode(), again::toString);
        TestTargets.assertSameRows(db, target, manifest);
    }

    @Test
    void aFailingLoadLeavesTheTargetAsItWas(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path copy = TestTargets.copyDump(dumpDir, tmp.resolve("broken"));
        Files.writeString(copy.resolve("schema/post-data.sql"), "SELECT 1/0;\n", java.nio.file.StandardOpenOption.APPEND);
        TestDatabase target = db.sibling("keep");
        target.execute("CREATE TABLE keepme (i int); INSERT INTO keepme VALUES (42);");
        var r = TestDumps.runScript(copy, target.libpqEnv(), "--clean");
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("rolled back"), r.err());
        assertEquals("42", target.queryValue("SELECT i FROM keepme"));
        assertEquals("0", target.queryValue("SELECT count(*) FROM pg_class WHERE relname = 'y'"));
    }

    @Test
    void aDamagedOrMissingFileLoadsNothing(TestDatabase db, @TempDir Path tmp) throws Exception {
        TestDatabase target = db.sibling("damaged");
        Path damaged = TestTargets.copyDump(dumpDir, tmp.resolve("damaged"));
        Path file = damaged.resolve(manifest.tables().get(0).file());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        var r = TestDumps.runScript(damaged, target.libpqEnv());
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains(file.toString()) && r.err().contains("sha256"), r.err());

        // A change COPY accepts: the checksum alone stops the commit, and --clean keeps the old content.
        Path tampered = TestTargets.copyDump(dumpDir, tmp.resolve("tampered"));
        Path mixed = tampered.resolve(manifest.tables().stream().filter(t -> t.name().equals("Mixed Case"))
                .findFirst().orElseThrow().file());
        Files.writeString(mixed, Files.readString(mixed).replaceFirst("\n1,", "\n1001,"));
        TestDatabase kept = db.sibling("tampered");
        kept.execute("CREATE TABLE keepme (i int); INSERT INTO keepme VALUES (7);");
        var t = TestDumps.runScript(tampered, kept.libpqEnv(), "--clean");
        assertEquals(2, t.exitCode(), t::toString);
        assertTrue(t.err().contains(mixed + ": sha256") && t.err().contains("nothing was loaded"), t.err());
        assertEquals("7", kept.queryValue("SELECT i FROM keepme"));
        assertEquals("0", kept.queryValue("SELECT count(*) FROM pg_class WHERE relname = 'Mixed Case'"));

        Path missing = TestTargets.copyDump(dumpDir, tmp.resolve("missing"));
        Files.delete(missing.resolve(manifest.tables().get(1).file()));
        var m = TestDumps.runScript(missing, target.libpqEnv());
        assertEquals(2, m.exitCode(), m::toString);
        assertTrue(m.err().contains(manifest.tables().get(1).file() + " is missing"), m.err());
        assertEquals("0", target.queryValue("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
    }

    @Test
    void checksWithSha256sumWhenOpensslDoesNotWork(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path openssl = bin.resolve("openssl");
        Files.writeString(openssl, "#!/bin/sh\necho broken >&2\nexit 1\n");
        openssl.toFile().setExecutable(true);
        Map<String, String> env = new java.util.HashMap<>();
        env.putAll(db.sibling("nossl").libpqEnv());
        env.put("PATH", bin + ":" + System.getenv("PATH"));

        Path tampered = TestTargets.copyDump(dumpDir, tmp.resolve("tampered"));
        Path mixed = tampered.resolve(manifest.tables().stream().filter(t -> t.name().equals("Mixed Case"))
                .findFirst().orElseThrow().file());
        Files.writeString(mixed, Files.readString(mixed).replaceFirst("\n2,", "\n2002,"));
        var bad = TestDumps.runScript(tampered, env);
        assertEquals(2, bad.exitCode(), bad::toString);
        assertTrue(bad.err().contains(mixed + ": sha256"), bad.err());

        var good = TestDumps.runScript(dumpDir, env);
        assertEquals(0, good.exitCode(), good::toString);
        assertFalse(good.err().contains("broken"), "openssl is only tried once, quietly: " + good.err());
    }

    @Test
    void aLineThatIsOnlyBackslashDotFailsCleanlyNamingTheFileWithPsqlBefore18(TestDatabase db, @TempDir Path tmp)
            throws Exception {
        assumeTrue(TestTargets.psqlMajor() < 18, "psql 18 reads a \\copy file to its end");
        TestDatabase source = db.sibling("marker");
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, E'a\\n\\\\.\\nb');");
        Manifest m = TestDumps.dump(source, tmp.resolve("marker"), true);
        TestDatabase target = db.sibling("marker_target");
        target.execute("CREATE TABLE keepme (i int); INSERT INTO keepme VALUES (5);");
        var r = TestDumps.runScript(tmp.resolve("marker"), target.libpqEnv(), "--clean");
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains(tmp.resolve("marker").resolve(m.tables().get(0).file())
                + " has a line that is only \\. (inside a quoted value)"), r.err());
        assertEquals("5", target.queryValue("SELECT i FROM keepme"));
        assertEquals(0, target.queryLong("SELECT count(*) FROM pg_class WHERE relname = 't'"));
    }

    @Test
    void refusesTheDumpsOwnSourceNamingIt(TestDatabase db) throws Exception {
        var r = TestDumps.runScript(dumpDir, db.libpqEnv(), "--clean");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("the target is the dump's own source (database " + db.name()
                + ", system identifier " + manifest.source().systemIdentifier().orElseThrow()), r.err());
        assertEquals("1000", db.queryValue("SELECT count(*) FROM \"Mixed Case\""));
    }

    @Test
    void printsHelpAndRejectsUnknownOptions() throws Exception {
        var help = TestDumps.runScript(dumpDir, Map.of(), "--help");
        assertEquals(0, help.exitCode(), help::toString);
        assertTrue(help.out().contains("--create") && help.out().contains("--clean"), help.out());
        var bad = TestDumps.runScript(dumpDir, Map.of(), "--frobnicate");
        assertEquals(2, bad.exitCode(), bad::toString);
        assertTrue(bad.err().contains("unknown argument: --frobnicate"), bad.err());
    }

    @Test
    void isCleanUnderShellcheck() throws Exception {
        assumeTrue(TestTargets.onPath("shellcheck"), "shellcheck not installed");
        Process p = new ProcessBuilder("shellcheck", "-s", "bash", dumpDir.resolve("restore.sh").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    @Test
    void restoresGzippedDumpsWithTheTargetFromLibpqFlags(TestDatabase db, @TempDir Path tmp) throws Exception {
        TestDatabase source = db.sibling("gzsrc");
        source.execute(HOSTILE);
        Manifest gz = TestDumps.dump(source, tmp.resolve("gz"), true);
        assertTrue(gz.tables().get(0).file().endsWith(".csv.gz"));
        TestDatabase target = db.sibling("gz");
        var r = TestDumps.runScript(tmp.resolve("gz"), Map.of(), target.connectionArgs().toArray(String[]::new));
        assertEquals(0, r.exitCode(), r::toString);
        TestTargets.assertSameRows(source, target, gz);
    }
}
