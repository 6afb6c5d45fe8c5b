package io.pgsubset.reliability;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.CliProcess;
import io.pgsubset.testing.DbState;
import io.pgsubset.testing.PgBinaries;
import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Names and plan SQL are data, never code: a table named like an injection dumps and restores as
 * itself; a plan {@code where:} that tries to write fails inside the dump's read-only transaction
 * and changes nothing; a password never reaches the manifest, the output or a child's command line.
 */
@PgTest
class InjectionTest {
    private static final String SECRET = "Inj3ct-S3cret-pw";
    private static final String ROLE = "pgsubset_injection_user";
    private static final String HOSTILE = "x\"; drop table t; --";

    @BeforeAll
    static void fixture(TestDatabase db) {
        db.execute("""
                CREATE SEQUENCE s;
                CREATE TABLE t (id int PRIMARY KEY, v text);
                CREATE TABLE "x""; drop table t; --" (id int PRIMARY KEY, t_id int REFERENCES t,
                                                      "'); delete from t; --" text);
                CREATE TABLE "Robert'); DROP TABLE t;--" ("x"" int" int);
                INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g;
                INSERT INTO "x""; drop table t; --" SELECT g, g, E'\\\\''; delete' FROM generate_series(1, 40) g;
                INSERT INTO "Robert'); DROP TABLE t;--" VALUES (1), (NULL);
                DROP ROLE IF EXISTS @ROLE@;
                CREATE ROLE @ROLE@ LOGIN SUPERUSER PASSWORD '@SECRET@' IN ROLE @GROUP@;
                """.replace("@ROLE@", ROLE).replace("@SECRET@", SECRET).replace("@GROUP@", PgCluster.PASSWORD_GROUP));
    }

    @Test
    void hostileTableNamesDumpAndRestoreAsThemselves(TestDatabase db, @TempDir Path tmp) {
        Path plan = Dumps.plan(tmp, """
                version: 1
                sample:
                  '"x""; drop table t; --"':
                    every: 2
                """);
        DbState before = DbState.of(db);
        Manifest m = Dumps.dumpOk(db, tmp.resolve("dump"), "--plan", plan.toString());
        assertEquals(before, DbState.of(db));
        assertEquals(20L, Dumps.manifestRows(m).get("public." + HOSTILE), m::toString);
        assertEquals(100L, Dumps.manifestRows(m).get("public.t"), () -> "a parent table in full: " + m);

        TestDatabase target = db.sibling("restored");
        Cli.Result r = Dumps.restore(target, tmp.resolve("dump"));
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(before.objects(), DbState.of(target).objects());
        assertEquals(DbState.rows(db, "\"Robert'); DROP TABLE t;--\""),
                DbState.rows(target, "\"Robert'); DROP TABLE t;--\""));
        // the sampled rows, each equal to its source row
        List<List<String>> restored = target.query("SELECT * FROM \"x\"\"; drop table t; --\" ORDER BY id");
        assertEquals(20, restored.size());
        assertTrue(db.query("SELECT * FROM \"x\"\"; drop table t; --\" ORDER BY id").containsAll(restored),
                restored::toString);
        Cli.Result verified = Dumps.verify(target, tmp.resolve("dump"));
        assertEquals(0, verified.exitCode(), verified::toString);
    }

    /**
     * Exit 2 where plan check sees the mistake (a ';', SQL the server rejects), 1 where the server
     * refuses the write as the dump runs.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1=1; delete from t | 2",
        "1=1) t; delete from t; select * from (select 1 | 2",
        "nextval('s') > 0 | 1",
        "id IN (WITH d AS (DELETE FROM t RETURNING id) SELECT id FROM d) | 2",
        "set_config('transaction_read_only', 'off', true) = 'off' AND nextval('s') > 0 | 1"})
    void writingWhereFailsInReadOnlyTransactionAndChangesNothing(String where, int exitCode, TestDatabase db,
                                                                 @TempDir Path tmp) {
        Path plan = Dumps.plan(tmp, """
                version: 1
                sample:
                  t:
                    every: 1
                    where: "%s"
                """.formatted(yamlString(where)));
        assertRefusedAndUnchanged(db, tmp, plan, exitCode);
    }

    /**
     * A {@code transform:} expression is plan SQL too: one that tries to write is refused (the
     * check runs it on 20 rows in a read-only transaction that is rolled back) and changes nothing.
     */
    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
        "nextval('s')::text => 2",
        "set_config('transaction_read_only', 'off', true) || nextval('s') => 2",
        "(SELECT count(*) FROM (SELECT pg_catalog.setval('s', 1000)) x)::text => 2",
        "v || (SELECT 1 FROM (DELETE FROM t RETURNING 1) d) => 2"})
    void writingTransformFailsAndChangesNothing(String expression, int exitCode, TestDatabase db, @TempDir Path tmp) {
        Path plan = Dumps.plan(tmp, """
                version: 1
                transform:
                  t:
                    v: "%s"
                """.formatted(yamlString(expression)));
        assertRefusedAndUnchanged(db, tmp, plan, exitCode);
    }

    /** The text of a double-quoted YAML string. */
    private static String yamlString(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** The dump with {@code plan} fails with one message and {@code exitCode}; the source is as it was. */
    private static void assertRefusedAndUnchanged(TestDatabase db, Path tmp, Path plan, int exitCode) {
        DbState before = DbState.of(db);
        long seq = db.queryLong("SELECT last_value FROM s");
        Cli.Result r = Dumps.dump(db, tmp.resolve("dump"), "--plan", plan.toString());
        Dumps.assertOneClearError(r, exitCode);
        assertEquals(before, DbState.of(db));
        assertEquals(seq, db.queryLong("SELECT last_value FROM s"));
        assertEquals(0L, db.queryLong("SELECT count(*) FROM pg_catalog.pg_largeobject_metadata"));
        assertFalse(Files.exists(tmp.resolve("dump")), "a failed dump left its directory");
    }

    /**
     * PostgreSQL lets lo_create() write in a READ ONLY transaction; the dump's transactions end in
     * ROLLBACK, so even such a write leaves no trace on the source.
     */
    @Test
    void writeThatReadOnlyTransactionsAllowIsRolledBack(TestDatabase db, @TempDir Path tmp) {
        Path plan = Dumps.plan(tmp, """
                version: 1
                sample:
                  t:
                    every: 1
                    where: "lo_create(0) > 0"
                """);
        DbState before = DbState.of(db);
        Cli.Result r = Dumps.dump(db, tmp.resolve("dump"), "--plan", plan.toString(), "--jobs", "2");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(0L, db.queryLong("SELECT count(*) FROM pg_catalog.pg_largeobject_metadata"),
                "large objects created by the where: survived the dump");
        assertEquals(before, DbState.of(db));
    }

    @Test
    void passwordNeverInManifestOutputOrChildCommandLines(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path argvLog = tmp.resolve("pg_dump.argv");
        Path envLog = tmp.resolve("pg_dump.env");
        Path realPgDump = PgBinaries.find().resolve("pg_dump");
        // a pg_dump that records how it was called, then does the real work
        Path wrapper = bin.resolve("pg_dump");
        Files.writeString(wrapper, """
                #!/usr/bin/env bash
                printf '%%s\\n' "$@" >> '%s'
                if [[ -n "${PGPASSWORD:-}" ]]; then echo password-in-env >> '%s'; fi
                cat "/proc/$$/cmdline" | tr '\\0' ' ' >> '%s'
                exec '%s' "$@"
                """.formatted(argvLog, envLog, argvLog, realPgDump));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path out = tmp.resolve("dump");
        List<String> args = new ArrayList<>(List.of("dump", "-h", db.cluster().host(), "-p",
                Integer.toString(db.cluster().port()), "-U", ROLE, "-d", db.name(), "-o", out.toString(),
                "--jobs", "2", "--verbose"));
        Set<String> commandLines = ConcurrentHashMap.newKeySet();
        int code;
        String stdout;
        String stderr;
        try (CliProcess dump = CliProcess.start(Map.of("PGPASSWORD", SECRET, "PGBIN", bin.toString()), args)) {
            while (dump.isAlive()) {
                commandLines.addAll(dump.childCommandLines());
                Thread.sleep(1);
            }
            code = dump.waitFor(Duration.ofSeconds(60));
            stdout = dump.out();
            stderr = dump.err();
        }
        assertEquals(0, code, stderr);
        assertTrue(Files.exists(argvLog), "pg_dump was not run through the PGBIN wrapper");
        assertTrue(Files.readString(envLog).contains("password-in-env"), "pg_dump got its password from PGPASSWORD");
        for (String where : List.of(Files.readString(argvLog), String.join("\n", commandLines), stdout, stderr,
                Dumps.allText(out))) {
            assertFalse(where.contains(SECRET), () -> "password leaked: " + where.substring(0, Math.min(2000,
                    where.length())));
        }
        // pg_dump shares the dump's snapshot (SPEC): it was given one on its command line
        assertTrue(Files.readString(argvLog).contains("--snapshot"), Files.readString(argvLog));
    }
}
