package io.pgsubset.reliability;

import io.pgsubset.cli.Main;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ScriptManifest;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.DbState;
import io.pgsubset.testing.PgBinaries;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import io.pgsubset.testing.ZonkyBinaries;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dump --format sql}: one script that psql alone loads, in one transaction. The source is
 * the fidelity fixture (every type, hostile names) plus a partitioned table, values that are
 * {@code \.} on a line of their own (inside a multi-line value too), a large object and a
 * materialized view.
 */
@PgTest
class SqlScriptTest {
    static final String EXTRAS = """
            CREATE TABLE public.measure (id int, at date NOT NULL, v text, PRIMARY KEY (id, at))
              PARTITION BY RANGE (at);
            CREATE TABLE public.measure_2023 PARTITION OF public.measure FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
            CREATE TABLE public.measure_2024 PARTITION OF public.measure FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            INSERT INTO public.measure SELECT g, date '2023-06-01' + g, 'v' || g FROM generate_series(1, 300) g;
            CREATE TABLE "My Schema"."end marker" (id int PRIMARY KEY, v text, w text);
            INSERT INTO "My Schema"."end marker" VALUES
              (1, E'\\\\.', E'a\\n\\\\.\\nb'), (2, E'\\\\.\\n', E'\\n\\\\.'), (3, E'\\\\.\\r\\n\\\\.', '\\'),
              (4, E'x\\n\\\\.', NULL), (5, '', E'\\\\N');
            CREATE TABLE public.doc (id int PRIMARY KEY, body oid);
            INSERT INTO public.doc VALUES (1, lo_from_bytea(0, decode(repeat('00ff5c2e0a', 300000), 'hex')));
            CREATE MATERIALIZED VIEW public.order_count AS SELECT count(*) AS n FROM "select"."Order";
            """;

    private static Path script;
    private static Path directory;

    @BeforeAll
    static void dumps(TestDatabase db, @TempDir Path tmp) {
        db.execute(FidelityTest.fixtureSql());
        db.execute(EXTRAS);
        script = tmp.resolve("app.sql");
        directory = tmp.resolve("dir");
        Cli.Result r = Dumps.dump(db, script, "--format", "sql");
        assertEquals(0, r.exitCode(), r::toString);
        Dumps.dumpOk(db, directory);
    }

    @Test
    void psqlLoadsTheScriptWithTheDirectoryFormatsRows(TestDatabase db) throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(script)));
        TestDatabase target = db.sibling("psql");
        Psql loaded = psql(target, Files.readAllBytes(script));
        assertEquals(0, loaded.exitCode(), loaded::toString);
        FidelityTest.assertSameRows(db, target);
        assertEquals(db.queryValue(LARGE_OBJECT), target.queryValue(LARGE_OBJECT));
        assertEquals("20", target.queryValue("SELECT n FROM public.order_count"));
        assertEquals(DbState.rows(db, "\"My Schema\".\"end marker\""),
                DbState.rows(target, "\"My Schema\".\"end marker\""));

        Manifest fromScript = ScriptManifest.read(script).manifest();
        assertEquals(Dumps.manifestContent(Dumps.manifest(directory)), Dumps.manifestContent(fromScript));
        Cli.Result verified = Cli.against(target, "verify", "--manifest-from", script.toString());
        assertEquals(0, verified.exitCode(), verified::toString);
        assertTrue(verified.out().contains("public.measure"), verified::toString);

        target.execute("DELETE FROM \"a.b\".\"t.with.dots\" WHERE \"Id\" = 1");
        Cli.Result differs = Cli.against(target, "verify", "--manifest-from", script.toString());
        assertEquals(1, differs.exitCode(), differs::toString);
    }

    private static final String LARGE_OBJECT = "SELECT md5(lo_get(body)) FROM public.doc";

    /** PostgreSQL 18 no longer ends CSV data at \. ; the installed psql 15 must load the script into it all the same. */
    @Test
    void olderPsqlLoadsTheScriptIntoTheNewestServer(TestDatabase db) throws IOException {
        TestDatabase target = TestDatabase.create(ZonkyBinaries.sharedCluster(ZonkyBinaries.NEWEST), "sqlscript");
        Psql loaded = psql(target, Files.readAllBytes(script));
        assertEquals(0, loaded.exitCode(), loaded::toString);
        assertEquals(DbState.rows(db, "\"My Schema\".\"end marker\""),
                DbState.rows(target, "\"My Schema\".\"end marker\""));
        Cli.Result verified = Cli.against(target, "verify", "--manifest-from", script.toString());
        assertEquals(0, verified.exitCode(), verified::toString);
    }

    /** Cut before the COMMIT anywhere (a schema statement, mid-row, between blocks, in the check): nothing stays. */
    @Test
    void aCutScriptLoadsNothing(TestDatabase db) throws IOException {
        byte[] whole = Files.readAllBytes(script);
        String text = new String(whole, StandardCharsets.UTF_8);
        int commit = text.lastIndexOf("COMMIT;");
        assertTrue(commit > 0 && text.endsWith("COMMIT;\n"), "COMMIT is the last line");
        List<Integer> cuts = List.of(
                text.indexOf("CREATE TABLE") + 10,
                text.indexOf("\nCOPY ") + 3,
                text.indexOf("line2") + 2,
                text.indexOf("\\.\n") + 3,
                text.indexOf("lo_put(") + 200,
                text.indexOf("ADD CONSTRAINT"),
                text.lastIndexOf("RAISE EXCEPTION"),
                commit,
                commit + "COMM".length());
        TestDatabase target = db.sibling("cut");
        for (int cut : cuts) {
            assertTrue(cut > 0, "cut point found");
            byte[] prefix = java.util.Arrays.copyOf(whole, text.substring(0, cut).getBytes(StandardCharsets.UTF_8).length);
            psql(target, prefix);
            assertEquals("0", target.queryValue("SELECT (" + io.pgsubset.format.TargetSql.USER_OBJECTS + ")::text"),
                    "cut at " + cut + ": " + text.substring(Math.max(0, cut - 40), cut));
        }
    }

    /** A row lost on the way (here: one line taken out of a COPY block) fails the final check, which rolls back. */
    @Test
    void aMissingRowFailsTheCheckAndLoadsNothing(TestDatabase db) throws IOException {
        String text = Files.readString(script, StandardCharsets.UTF_8);
        int block = text.indexOf("\nCOPY \"public\".\"measure\"");
        int firstRow = text.indexOf('\n', block + 1) + 1;
        String damaged = text.substring(0, firstRow) + text.substring(text.indexOf('\n', firstRow) + 1);
        TestDatabase target = db.sibling("lost");
        Psql loaded = psql(target, damaged.getBytes(StandardCharsets.UTF_8));
        assertEquals(3, loaded.exitCode(), loaded::toString);
        assertTrue(loaded.err().contains("pgsubset: public.measure holds 299 rows after the load, the dump has 300"),
                loaded::toString);
        assertEquals("0", target.queryValue("SELECT (" + io.pgsubset.format.TargetSql.USER_OBJECTS + ")::text"));
    }

    /** Without --clean a non-empty target is refused before anything changes; with it, the target is refreshed. */
    @Test
    void cleanRefreshesANonEmptyTarget(TestDatabase db, @TempDir Path tmp) throws IOException {
        TestDatabase target = db.sibling("clean");
        assertEquals(0, psql(target, Files.readAllBytes(script)).exitCode());
        target.execute("""
                DELETE FROM public.measure WHERE id > 100;
                CREATE TABLE public.stray (id int);
                CREATE SCHEMA elsewhere;
                CREATE TABLE elsewhere.kept (id int);
                INSERT INTO elsewhere.kept VALUES (42);
                """);
        Psql refused = psql(target, Files.readAllBytes(script));
        assertEquals(3, refused.exitCode(), refused::toString);
        assertTrue(refused.err().contains("is not empty"), refused::toString);
        assertEquals("100", target.queryValue("SELECT count(*) FROM public.measure"));

        Path clean = tmp.resolve("clean.sql.gz");
        Cli.Result r = Dumps.dump(db, clean, "--format", "sql", "--clean", "--compress");
        assertEquals(0, r.exitCode(), r::toString);
        Psql loaded = psql(target, gunzip(Files.readAllBytes(clean)));
        assertEquals(0, loaded.exitCode(), loaded::toString);
        assertEquals("300", target.queryValue("SELECT count(*) FROM public.measure"));
        assertEquals("0", target.queryValue("SELECT count(*) FROM pg_class WHERE relname = 'stray'"));
        assertEquals("42", target.queryValue("SELECT id FROM elsewhere.kept"));
        assertEquals(db.queryValue(LARGE_OBJECT), target.queryValue(LARGE_OBJECT));
        Cli.Result verified = Cli.against(target, "verify", "--manifest-from", clean.toString());
        assertEquals(0, verified.exitCode(), verified::toString);
    }

    /** -o -: the SQL alone on stdout (progress and summary on stderr), and psql loads it. */
    @Test
    void stdoutCarriesOnlyTheScript(TestDatabase db) {
        TestDatabase source = db.sibling("stdout_src");
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 50) g;");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        List<String> args = new ArrayList<>(List.of("dump", "--format", "sql", "-o", "-"));
        args.addAll(source.connectionArgs());
        int code = Main.run(args.toArray(String[]::new), stdout, new PrintWriter(err, true), env());
        assertEquals(0, code, err::toString);
        String sql = stdout.toString(StandardCharsets.UTF_8);
        assertTrue(sql.startsWith("-- pgsubset SQL dump;"), sql.substring(0, Math.min(200, sql.length())));
        assertTrue(sql.endsWith("COMMIT;\n"));
        assertFalse(sql.contains("SQL script written to"));
        assertTrue(err.toString().contains("SQL script written to standard output"), err::toString);
        assertTrue(err.toString().contains("public.t: 50 rows"), err::toString);
        TestDatabase target = db.sibling("stdout_dst");
        Psql loaded = psql(target, stdout.toByteArray());
        assertEquals(0, loaded.exitCode(), loaded::toString);
        assertEquals("50", target.queryValue("SELECT count(*) FROM t"));
    }

    /**
     * A dump that fails while rows stream ends the script with an error, so psql on the other end
     * exits 3 instead of rolling back quietly at the end of its input.
     */
    @Test
    void aDumpFailingMidStreamMakesPsqlFail(TestDatabase db, @TempDir Path tmp) {
        TestDatabase source = db.sibling("failing_src");
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100000) g;");
        Path plan = Dumps.plan(tmp, "version: 1\nfull: [t]\ntransform:\n  t:\n    v: \"(1 / (id - 90000))::text\"\n");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        List<String> args = new ArrayList<>(List.of("dump", "--format", "sql", "-o", "-", "--plan", plan.toString()));
        args.addAll(source.connectionArgs());
        int code = Main.run(args.toArray(String[]::new), stdout, new PrintWriter(err, true), env());
        assertEquals(1, code, err::toString);
        assertTrue(err.toString().contains("division by zero"), err::toString);
        String sql = stdout.toString(StandardCharsets.UTF_8);
        assertTrue(sql.contains("\nCOPY \"public\".\"t\"") && sql.contains("\n1\t0\n"), () -> err + "\n" + sql.substring(Math.max(0, sql.length() - 600)));
        TestDatabase target = db.sibling("failing_dst");
        Psql loaded = psql(target, stdout.toByteArray());
        assertEquals(3, loaded.exitCode(), loaded::toString);
        // the COPY block is ended right where the rows stopped: its cut last row, or else the raise, fails psql
        assertTrue(loaded.err().contains("pgsubset: the dump failed") || loaded.err().contains("CONTEXT:  COPY t, line"),
                loaded::toString);
        assertEquals("0", target.queryValue("SELECT (" + io.pgsubset.format.TargetSql.USER_OBJECTS + ")::text"));
    }

    @Test
    void refusesJobsAndCleanWhereTheyDoNotApply(TestDatabase db, @TempDir Path tmp) {
        Cli.Result jobs = Dumps.dump(db, tmp.resolve("x.sql"), "--format", "sql", "--jobs", "2");
        Dumps.assertOneClearError(jobs, 2);
        assertTrue(jobs.err().contains("--jobs 2 cannot apply"), jobs::toString);
        Cli.Result clean = Dumps.dump(db, tmp.resolve("x"), "--clean");
        Dumps.assertOneClearError(clean, 2);
        Cli.Result exists = Dumps.dump(db, script, "--format", "sql");
        Dumps.assertOneClearError(exists, 2);
        assertFalse(Files.exists(tmp.resolve("x.sql")));
    }

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", System.getProperty("java.io.tmpdir"));
        return env;
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    record Psql(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "psql exit " + exitCode + "\n--- stderr\n" + err;
        }
    }

    /** The installed psql reading the script from stdin, as in {@code ... | psql -v ON_ERROR_STOP=1}. */
    static Psql psql(TestDatabase target, byte[] input) {
        List<String> argv = List.of(PgBinaries.find().resolve("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1");
        try {
            Path in = Files.createTempFile("script-", ".sql");
            Path out = Files.createTempFile("psql-", ".out");
            Path err = Files.createTempFile("psql-", ".err");
            try {
                Files.write(in, input);
                ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(in.toFile()).redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
                pb.environment().putAll(target.libpqEnv());
                Process p = pb.start();
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("psql did not finish in 5 minutes");
                }
                return new Psql(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.delete(in);
                Files.delete(out);
                Files.delete(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
