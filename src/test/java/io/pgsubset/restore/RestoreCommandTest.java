package io.pgsubset.restore;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@PgTest
class RestoreCommandTest {
    /** Every type of SPEC guarantee 3 and then some, with the values that break naive CSV handling. */
    static final String EVERY_TYPE = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE DOMAIN posint AS int CHECK (VALUE > 0);
            CREATE TYPE pair AS (a int, b text);
            CREATE TABLE "Every ""Type"" here" (
              id int PRIMARY KEY, "Ints" int[], texts text[], moods mood[], m mood, d posint, j json, jb jsonb,
              b bytea, t text, ts timestamp, tstz timestamptz, dt date, f8 float8, f4 real, n numeric, p pair,
              r int4range, tr tstzrange, u uuid, ip inet, net cidr, x xml, bits bit(8), vb varbit, tsv tsvector,
              cash money, iv interval, tm time, tmtz timetz, flag boolean, ch char(3), mac macaddr, pt point,
              pairs pair[], nested int[][]);
            INSERT INTO "Every ""Type"" here" VALUES
             (1, '{1,NULL,3}', '{"a,b","c\\"d",NULL,"","NULL"}', '{sad,happy}', 'ok', 7, '{"k": [1, "x"]}',
              '{"k": {"z": null}}', '\\x00ff00410a0d5c'::bytea, E'line1\\nline2\\r\\n"quoted", comma, back\\\\slash \\\\.\\n\\\\.',
              'infinity', '-infinity', '2024-02-29', 'NaN', '-Infinity', 'NaN', ROW(1, 'x,"y"'), '[1,5)',
              '[2024-01-01 00:00+00,infinity)', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.0.1/24', '10.0.0.0/8',
              '<a b="1">x &amp; y</a>', B'10101010', B'101', to_tsvector('simple', 'hello, world''s'), 12.34,
              '1 day -02:03:04.5', '23:59:59.999999', '12:00+05:30', true, 'ab', '08:00:2b:01:02:03', '(1.5,-2)',
              ARRAY[ROW(1, 'a')::pair, ROW(NULL, NULL)::pair], '{{1,2},{3,4}}'),
             (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
             (3, '{}', '{}', '{}', 'sad', 1, '""', '""', '\\x', '', 'epoch', 'epoch', '-infinity', 'Infinity',
              '1e-40', '-0.000000000000000000001', ROW(NULL, ''), 'empty', 'empty', '00000000-0000-0000-0000-000000000000',
              '::1', '::/0', '', B'00000000', B'', '', -1.5, '0', '00:00', '00:00+00', false, '', 'ff:ff:ff:ff:ff:ff',
              '(0,0)', '{}', '{}'),
             (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '\\.', '1999-12-31 23:59:59.123456',
              '1999-12-31 23:59:59.123456-08', '0044-03-15 BC', 1.7976931348623157e308, 3.4028235e38,
              '123456789012345678901234567890.123456789', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
              NULL, '-178000000 years', NULL, NULL, NULL, 'x', NULL, NULL, NULL, NULL);
            INSERT INTO "Every ""Type"" here" (id, t)
              SELECT 5, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 330000) g);
            CREATE TABLE parent (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text UNIQUE);
            INSERT INTO parent (name) SELECT 'p' || g FROM generate_series(1, 3000) g;
            CREATE TABLE child (id serial PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent,
              doubled bigint GENERATED ALWAYS AS (parent_id * 2) STORED);
            INSERT INTO child (parent_id) SELECT 1 + g % 3000 FROM generate_series(1, 20000) g;
            CREATE INDEX ON child (parent_id);
            CREATE TABLE events (id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
            CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            INSERT INTO events SELECT g, date '2024-01-01' + (g % 700) FROM generate_series(1, 5000) g;
            """;

    static Path dumpDir;
    static Manifest manifest;

    @BeforeAll
    static void dump(TestDatabase db, @TempDir Path tmp) throws Exception {
        db.execute(EVERY_TYPE);
        db.execute(RestoreScriptTest.HOSTILE);
        dumpDir = tmp.resolve("out");
        manifest = TestDumps.dump(db, dumpDir, false);
    }

    static Cli.Result restore(TestDatabase target, String... more) {
        List<String> args = new ArrayList<>(List.of("restore", dumpDir.toString()));
        args.addAll(target.connectionArgs());
        args.addAll(List.of(more));
        return Cli.run(Map.of(), args);
    }

    @Test
    void restoresEveryTypeFaithfullyWithParallelJobs(TestDatabase db) {
        TestDatabase target = db.sibling("jobs");
        Cli.Result r = restore(target, "--jobs", "2");
        assertEquals(0, r.exitCode(), r::toString);
        TestTargets.assertSameRows(db, target, manifest);
        assertEquals(db.queryValue("SELECT md5(t) FROM \"Every \"\"Type\"\" here\" WHERE id = 5"),
                target.queryValue("SELECT md5(t) FROM \"Every \"\"Type\"\" here\" WHERE id = 5"), "the 10 MB text");
        assertTrue(target.queryLong("SELECT length(t) FROM \"Every \"\"Type\"\" here\" WHERE id = 5") > 10_000_000);
        assertEquals("3", target.queryValue("SELECT count(*) FROM \"Every \"\"Type\"\" here\" WHERE t IS NOT NULL AND id < 5"),
                "empty string stays empty, NULL stays NULL");
        assertEquals("t", target.queryValue("SELECT f8 = 'NaN' AND ts = 'infinity' FROM \"Every \"\"Type\"\" here\" WHERE id = 1"));
        assertEquals(db.queryValue("SELECT last_value FROM child_id_seq"),
                target.queryValue("SELECT last_value FROM child_id_seq"));
        assertEquals("2", target.queryValue("SELECT count(*) FROM pg_constraint WHERE contype = 'f'"));
        assertTrue(r.out().contains("child") && r.out().contains("20000"), r.out());
        assertTrue(r.out().contains("restored " + manifest.tables().size() + " tables"), r.out());
        assertTrue(r.err().contains("pgsubset: loaded public.child: 20000 rows"), r.err());

        List<String> verify = new ArrayList<>(List.of("verify", dumpDir.toString()));
        verify.addAll(target.connectionArgs());
        Cli.Result v = Cli.run(Map.of(), verify);
        assertEquals(0, v.exitCode(), v::toString);
        assertTrue(v.out().contains("foreign key  public.y"), v.out());
        assertTrue(v.out().contains("Every \"Type\" here"), v.out());
    }

    @Test
    void restoreShAndJavaRestoreGiveIdenticalDatabases(TestDatabase db) throws Exception {
        TestDatabase viaJava = db.sibling("java");
        TestDatabase viaScript = db.sibling("script");
        assertEquals(0, restore(viaJava, "--jobs", "2", "--quiet").exitCode());
        var s = TestDumps.runScript(dumpDir, viaScript.libpqEnv());
        assertEquals(0, s.exitCode(), s::toString);
        TestTargets.assertSameRows(viaScript, viaJava, manifest);
        assertEquals(schemaOf(viaScript), schemaOf(viaJava));
    }

    private static String schemaOf(TestDatabase db) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("pg_dump", "--schema-only");
        pb.environment().putAll(db.libpqEnv());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        return out.lines().filter(l -> !l.startsWith("\\restrict") && !l.startsWith("\\unrestrict"))
                .reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void replaceSwapsInTheNewCopyAndKeepsTheOld(TestDatabase db) throws Exception {
        TestDatabase target = db.sibling("live");
        target.execute("CREATE TABLE previous (i int); INSERT INTO previous VALUES (7);");
        Cli.Result r = restore(target, "--replace", target.name(), "--jobs", "2");
        assertEquals(0, r.exitCode(), r::toString);
        TestTargets.assertSameRows(db, target, manifest);
        assertEquals("0", target.queryValue("SELECT count(*) FROM pg_class WHERE relname = 'previous'"));
        String old = db.queryValue("SELECT datname FROM pg_database WHERE datname LIKE '"
                + target.name() + "\\_\\_pgsubset\\_old\\_%'");
        assertTrue(old != null && r.out().contains("kept as \"" + old + "\""), r.out());
        assertEquals("7", db.existing(old).queryValue("SELECT i FROM previous"));
        assertEquals("0", db.queryValue("SELECT count(*) FROM pg_database WHERE datname LIKE '%pgsubset_new'"));

        Cli.Result again = restore(target, "--replace", target.name(), "--drop-old");
        assertEquals(0, again.exitCode(), again::toString);
        TestTargets.assertSameRows(db, target, manifest);
        assertEquals("1", db.queryValue("SELECT count(*) FROM pg_database WHERE datname LIKE '"
                + target.name() + "\\_\\_pgsubset\\_old\\_%'"), "--drop-old dropped the second old copy only");
        TestTargets.drop(db, old);
    }

    @Test
    void replaceKeepsTheOldCopyUnderANumberedNameWhenTheStampIsTaken(TestDatabase db) throws Exception {
        TestDatabase target = db.sibling("stamp");
        target.execute("CREATE TABLE previous (i int); INSERT INTO previous VALUES (8);");
        // the names two earlier replaces in this second (and the next few) would have used
        java.time.format.DateTimeFormatter stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
        List<String> taken = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            String name = target.name() + Replace.OLD_INFIX + stamp.format(now.plusSeconds(s));
            db.execute("CREATE DATABASE \"" + name + "\"");
            taken.add(name);
        }
        try {
            Cli.Result r = restore(target, "--replace", target.name());
            assertEquals(0, r.exitCode(), r::toString);
            String kept = db.queryValue("SELECT datname FROM pg_database WHERE datname LIKE '"
                    + target.name() + "\\_\\_pgsubset\\_old\\_%\\_2'");
            assertTrue(kept != null && taken.contains(kept.substring(0, kept.length() - 2)), String.valueOf(kept));
            assertEquals("8", db.existing(kept).queryValue("SELECT i FROM previous"));
            assertTrue(r.out().contains("kept as \"" + kept + "\""), r.out());
            TestTargets.drop(db, kept);
        } finally {
            for (String name : taken) {
                TestTargets.drop(db, name);
            }
        }
    }

    @Test
    void replaceRefusesOpenSessionsUnlessTerminate(TestDatabase db) throws Exception {
        TestDatabase target = db.sibling("busy");
        target.execute("CREATE TABLE previous (i int);");
        try (Connection holder = target.connect()) {
            Cli.Result refused = restore(target, "--replace", target.name());
            assertEquals(2, refused.exitCode(), refused::toString);
            assertTrue(refused.err().contains("has 1 open sessions") && refused.err().contains("--terminate"),
                    refused.err());
            assertEquals("1", target.queryValue("SELECT count(*) FROM pg_class WHERE relname = 'previous'"));

            Cli.Result r = restore(target, "--replace", target.name(), "--terminate", "--drop-old");
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(holder.isClosed() || !holder.isValid(2), "the holding session was ended");
        }
        TestTargets.assertSameRows(db, target, manifest);
    }

    @Test
    void aFailedReplaceLeavesTheTargetAsItWasAndDropsTheNewDatabase(TestDatabase db, @TempDir Path tmp)
            throws Exception {
        Path broken = TestTargets.copyDump(dumpDir, tmp.resolve("broken"));
        Files.writeString(broken.resolve("schema/post-data.sql"), "\nSELECT 1/0;\n", StandardOpenOption.APPEND);
        TestDatabase target = db.sibling("stay");
        target.execute("CREATE TABLE previous (i int); INSERT INTO previous VALUES (7);");
        List<String> args = new ArrayList<>(List.of("restore", broken.toString(), "--replace", target.name()));
        args.addAll(target.connectionArgs());
        Cli.Result r = Cli.run(Map.of(), args);
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("post-data schema") && r.err().contains("division by zero"), r.err());
        assertEquals("7", target.queryValue("SELECT i FROM previous"));
        assertEquals(List.of(), db.query("SELECT datname FROM pg_database WHERE datname LIKE '" + target.name()
                + "\\_\\_pgsubset%'"));
    }

    /** Ctrl-C (SIGINT, exit 130) or SIGTERM (exit 143, the JVM's) during post-data. */
    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "TERM"})
    void anInterruptedReplaceLeavesTheTargetAsItWas(String signal, TestDatabase db, @TempDir Path tmp)
            throws Exception {
        Path slow = TestTargets.copyDump(dumpDir, tmp.resolve("slow"));
        Files.writeString(slow.resolve("schema/post-data.sql"), "\nSELECT pg_sleep(60);\n", StandardOpenOption.APPEND);
        TestDatabase target = db.sibling("intr" + signal.toLowerCase(java.util.Locale.ROOT));
        target.execute("CREATE TABLE previous (i int); INSERT INTO previous VALUES (7);");
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.pgsubset.cli.Main", "restore", slow.toString(),
                "--replace", target.name()));
        argv.addAll(target.connectionArgs());
        Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'"
                    + " AND datname = '" + target.name() + "__pgsubset_new'") == 0) {
                assertTrue(p.isAlive(), () -> "restore ended early: " + read(tmp.resolve("log")));
                assertTrue(System.nanoTime() < deadline, "restore never reached post-data");
                Thread.sleep(100);
            }
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "restore did not stop after SIG" + signal);
        } finally {
            p.destroyForcibly();
        }
        assertEquals(signal.equals("INT") ? 130 : 143, p.exitValue(), () -> read(tmp.resolve("log")));
        assertEquals("7", target.queryValue("SELECT i FROM previous"));
        assertEquals(List.of(), db.query("SELECT datname FROM pg_database WHERE datname LIKE '" + target.name()
                + "\\_\\_pgsubset%'"), () -> read(tmp.resolve("log")));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void refusesTheDumpsOwnSource(TestDatabase db) {
        Cli.Result r = restore(db, "--clean");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("the target is the dump's own source (database \"" + db.name()
                + "\", system identifier " + manifest.source().systemIdentifier().orElseThrow() + ")"), r.err());
        Cli.Result replace = restore(db, "--replace", db.name());
        assertEquals(2, replace.exitCode(), replace::toString);
        assertTrue(replace.err().contains("dump's own source"), replace.err());
        assertEquals("20000", db.queryValue("SELECT count(*) FROM child"));
    }

    @Test
    void aMissingTargetDatabaseIsAUsageErrorNamingCreate(TestDatabase db) {
        TestDatabase missing = db.absentSibling("missing");
        Cli.Result r = restore(missing);
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("the target: database \"" + missing.name() + "\" does not exist")
                && r.err().contains("add --create to restore into a new database"), r.err());
    }

    @Test
    void refusesANonEmptyTargetWithoutClean(TestDatabase db) {
        TestDatabase target = db.sibling("nonempty");
        target.execute("CREATE TABLE keepme (i int)");
        Cli.Result r = restore(target);
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("is not empty") && r.err().contains("--clean"), r.err());
        Cli.Result cleaned = restore(target, "--clean", "--jobs", "3");
        assertEquals(0, cleaned.exitCode(), cleaned::toString);
        TestTargets.assertSameRows(db, target, manifest);
        assertEquals("0", target.queryValue("SELECT count(*) FROM pg_class WHERE relname = 'keepme'"));
    }

    @Test
    void refusesBrokenDumpsAndLoadsNothingFromThem(TestDatabase db, @TempDir Path tmp) throws Exception {
        TestDatabase target = db.sibling("refuse");
        Path noManifest = TestTargets.copyDump(dumpDir, tmp.resolve("nomanifest"));
        Files.delete(noManifest.resolve("manifest.json"));
        assertRefused(noManifest, target, "has no manifest.json");

        Path truncated = TestTargets.copyDump(dumpDir, tmp.resolve("truncated"));
        Path file = truncated.resolve(manifest.tables().get(2).file());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(truncated, target, file + ": sha256 ");

        Path changed = TestTargets.copyDump(dumpDir, tmp.resolve("changed"));
        Path other = changed.resolve(manifest.tables().get(1).file());
        Files.writeString(other, Files.readString(other).replaceFirst("\n1,", "\n9,"));
        assertRefused(changed, target, other + ": sha256 ");

        Path missing = TestTargets.copyDump(dumpDir, tmp.resolve("missing"));
        Files.delete(missing.resolve(manifest.tables().get(0).file()));
        assertRefused(missing, target, missing.resolve(manifest.tables().get(0).file()) + " is missing");
        Files.delete(missing.resolve("schema/post-data.sql"));
        assertRefused(missing, target, "post-data.sql is missing");

        assertEquals("0", target.queryValue("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
    }

    /** --create made the database, the load failed after it (post-data): the database is dropped again. */
    @Test
    void aCreateThatFailsAfterCreatingDropsTheDatabase(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path broken = TestTargets.copyDump(dumpDir, tmp.resolve("broken"));
        Files.writeString(broken.resolve("schema/post-data.sql"), "\nSELECT 1/0;\n", StandardOpenOption.APPEND);
        String name = db.name() + "_failed_create";
        String exists = "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'";
        List<String> args = new ArrayList<>(List.of("restore", broken.toString(), "--create", "-h",
                db.cluster().host(), "-p", Integer.toString(db.cluster().port()), "-U", "postgres", "-d", name));
        try {
            Cli.Result r = Cli.run(Map.of(), args);
            assertEquals(1, r.exitCode(), r::toString);
            assertTrue(r.err().contains("post-data schema") && r.err().contains("division by zero"), r.err());
            assertEquals(0, db.queryLong(exists), "the database --create made is dropped again");
        } finally {
            TestTargets.drop(db, name);
        }
    }

    /**
     * --clean checks every checksum before it drops anything: a data file changed where COPY
     * would take it (a value, not a key) is refused and the target keeps its old content.
     */
    @Test
    void aCleanRestoreOfATamperedDumpKeepsTheOldContent(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path tampered = TestTargets.copyDump(dumpDir, tmp.resolve("tampered"));
        Manifest.TableEntry parent = manifest.tables().stream().filter(t -> t.name().equals("parent")).findFirst()
                .orElseThrow();
        Path file = tampered.resolve(parent.file());
        String csv = Files.readString(file);
        assertTrue(csv.contains("\n17,p17\n"), "the row to change");
        Files.writeString(file, csv.replace("\n17,p17\n", "\n17,q17\n"));
        TestDatabase target = db.sibling("cleantampered");
        target.execute("CREATE TABLE keepme (i int PRIMARY KEY); INSERT INTO keepme VALUES (42);");
        io.pgsubset.testing.DbState before = io.pgsubset.testing.DbState.of(target);
        for (String jobs : List.of("1", "3")) {
            Cli.Result r = restoreFrom(tampered, target, "--clean", "--jobs", jobs);
            assertEquals(2, r.exitCode(), r::toString);
            assertTrue(r.err().contains(file + ": sha256 "), r.err());
            assertEquals(before, io.pgsubset.testing.DbState.of(target), "a refused --clean changed the target");
        }
    }

    private static void assertRefused(Path dir, TestDatabase target, String message) {
        Cli.Result r = restoreFrom(dir, target);
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains(message), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    private static Cli.Result restoreFrom(Path dir, TestDatabase target, String... more) {
        List<String> args = new ArrayList<>(List.of("restore", dir.toString()));
        args.addAll(target.connectionArgs());
        args.addAll(List.of(more));
        return Cli.run(Map.of(), args);
    }

    @Test
    void createsTheDatabaseAndItsOwnerRole(TestDatabase db) throws Exception {
        String name = db.name() + "_created";
        List<String> args = new ArrayList<>(List.of("restore", dumpDir.toString(), "--create", "--owner", "app owner",
                "--format", "json"));
        args.addAll(List.of("-h", db.cluster().host(), "-p", Integer.toString(db.cluster().port()), "-U", "postgres",
                "-d", name));
        try {
            Cli.Result r = Cli.run(Map.of(), args);
            assertEquals(0, r.exitCode(), r::toString);
            TestDatabase created = db.existing(name);
            assertEquals("app owner", created.queryValue("SELECT pg_get_userbyid(datdba) FROM pg_database"
                    + " WHERE datname = current_database()"));
            TestTargets.assertSameRows(db, created, manifest);
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
            assertEquals(name, json.get("database").asText());
            assertEquals(manifest.tables().size(), json.get("tables").size());
        } finally {
            TestTargets.drop(db, name);
        }
    }

    @Test
    void explainsItselfAndRejectsContradictoryOptions(TestDatabase db) {
        Cli.Result help = Cli.run("restore", "--help");
        assertEquals(0, help.exitCode(), help::toString);
        assertTrue(help.out().contains("--replace DBNAME") && help.out().contains("--terminate")
                && help.out().contains("-h, --host"), help.out());
        Cli.Result verifyHelp = Cli.run("verify", "--help");
        assertEquals(0, verifyHelp.exitCode(), verifyHelp::toString);
        assertTrue(verifyHelp.out().contains("--format"), verifyHelp.out());

        TestDatabase target = db.sibling("options");
        Cli.Result terminate = restore(target, "--terminate");
        assertEquals(2, terminate.exitCode(), terminate::toString);
        assertTrue(terminate.err().contains("--terminate and --drop-old only apply to --replace"), terminate.err());
        Cli.Result both = restore(target, "--replace", "x", "--clean");
        assertEquals(2, both.exitCode(), both::toString);
        Cli.Result jobs = restore(target, "--jobs", "0");
        assertEquals(2, jobs.exitCode(), jobs::toString);
        assertTrue(jobs.err().contains("--jobs must be at least 1"), jobs.err());
        assertEquals("0", target.queryValue("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
    }

    @Test
    void replaceOfAMissingDatabaseCreatesItWithTheGivenOwner(TestDatabase db) throws Exception {
        String name = db.name() + "_fresh";
        List<String> args = new ArrayList<>(List.of("restore", dumpDir.toString(), "--replace", name, "--owner",
                "fresh owner", "--quiet"));
        args.addAll(db.connectionArgs());
        try {
            Cli.Result r = Cli.run(Map.of(), args);
            assertEquals(0, r.exitCode(), r::toString);
            TestDatabase created = db.existing(name);
            TestTargets.assertSameRows(db, created, manifest);
            assertEquals("fresh owner", created.queryValue("SELECT pg_get_userbyid(datdba) FROM pg_database"
                    + " WHERE datname = current_database()"));
            assertFalse(r.out().contains("kept as"), r.out());
            assertEquals(List.of(), db.query("SELECT datname FROM pg_database WHERE datname LIKE '" + name
                    + "\\_\\_pgsubset%'"));
        } finally {
            TestTargets.drop(db, name);
        }
    }
}
