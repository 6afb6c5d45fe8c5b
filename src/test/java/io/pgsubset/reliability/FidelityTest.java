package io.pgsubset.reliability;

import io.pgsubset.sql.Ident;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.DbState;
import io.pgsubset.testing.PgBinaries;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guarantee 3 (faithful): every restored row equals its source row, for every type of the fixture
 * (SPEC's list plus composites, ranges, uuid, inet/cidr, xml, bit varying, tsvector, money,
 * multi-dimensional arrays, a 13 MB text) in schemas, tables and columns with hostile names (mixed
 * case, spaces, dots, double quotes, SQL keywords, an injection attempt), through both restore.sh
 * and pgsubset restore; pg_dump --schema-only of source and target are equal (with owners and
 * privileges after a --keep-owners dump); and sessions that default to other output settings on
 * source and target change nothing.
 */
@PgTest
class FidelityTest {
    static final String FIXTURE = "/reliability/fidelity.sql";

    @BeforeAll
    static void fixture(TestDatabase db) {
        db.execute(fixtureSql());
    }

    static String fixtureSql() {
        return Dumps.resource(FIXTURE);
    }

    /** restore.sh of a --keep-owners dump: rows, and the schema with its owners and privileges. */
    @Test
    void restoreShReproducesEveryRowAndObject(TestDatabase db, @TempDir Path tmp) {
        Path out = tmp.resolve("dump");
        Dumps.dumpOk(db, out, "--keep-owners");
        TestDatabase target = db.sibling("sh");
        Cli.Result r = Dumps.restoreSh(out, target);
        assertEquals(0, r.exitCode(), r::toString);
        assertSameRows(db, target);
        assertEquals(schema(db, true), schema(target, true));
        assertEquals("fidelity owner", target.queryValue("SELECT pg_get_userbyid(relowner) FROM pg_class"
                + " WHERE oid = '\"My Schema\".constrained'::regclass"));
        Cli.Result verified = Dumps.verify(target, out);
        assertEquals(0, verified.exitCode(), verified::toString);
    }

    @Test
    void pgsubsetRestoreReproducesEveryRowAndObject(TestDatabase db, @TempDir Path tmp) {
        Path out = tmp.resolve("dump");
        Dumps.dumpOk(db, out, "--jobs", "2");
        TestDatabase target = db.sibling("java");
        Cli.Result r = Dumps.restore(target, out, "--jobs", "2");
        assertEquals(0, r.exitCode(), r::toString);
        assertSameRows(db, target);
        assertEquals(schema(db, false), schema(target, false));
        Cli.Result verified = Dumps.verify(target, out);
        assertEquals(0, verified.exitCode(), verified::toString);
    }

    /**
     * Source and target sessions default to output settings far from PostgreSQL's (dates as
     * SQL/DMY, a half-hour time zone, escape bytea, fewer float digits, SQL-standard intervals):
     * dump, both restores and verify must not depend on them.
     */
    @Test
    void sessionDefaultsOfSourceAndTargetDoNotChangeTheRows(TestDatabase db, @TempDir Path tmp) {
        TestDatabase source = db.sibling("settings");
        source.execute(fixtureSql());
        TestDatabase viaJava = db.sibling("settings_java");
        TestDatabase viaScript = db.sibling("settings_sh");
        String[] odd = {
            "DateStyle = 'SQL, DMY'", "TimeZone = 'Asia/Kathmandu'", "bytea_output = 'escape'",
            "extra_float_digits = -3", "IntervalStyle = 'sql_standard'"};
        String[] otherOdd = {
            "DateStyle = 'German, MDY'", "TimeZone = 'America/St_Johns'", "bytea_output = 'escape'",
            "extra_float_digits = 0", "IntervalStyle = 'postgres_verbose'"};
        setDefaults(source, odd);
        setDefaults(viaJava, otherOdd);
        setDefaults(viaScript, otherOdd);
        // (the JDBC driver starts every session with DateStyle ISO and its own TimeZone; psql does not)
        assertEquals("sql_standard escape", source.queryValue("SELECT current_setting('IntervalStyle') || ' '"
                + " || current_setting('bytea_output')"), "a new session takes the database's settings");
        try {
            Path out = tmp.resolve("dump");
            Dumps.dumpOk(source, out, "--jobs", "2");
            Cli.Result java = Dumps.restore(viaJava, out, "--jobs", "2");
            assertEquals(0, java.exitCode(), java::toString);
            Cli.Result sh = Dumps.restoreSh(out, viaScript);
            assertEquals(0, sh.exitCode(), sh::toString);
            for (TestDatabase target : List.of(viaJava, viaScript)) {
                Cli.Result verified = Dumps.verify(target, out);
                assertEquals(0, verified.exitCode(), verified::toString);
            }
        } finally {
            // rows are compared as text: read every database with the same (default) settings
            for (TestDatabase d : List.of(source, viaJava, viaScript)) {
                d.execute("ALTER DATABASE " + Ident.quote(d.name()) + " RESET ALL");
            }
        }
        assertSameRows(source, viaJava);
        assertSameRows(source, viaScript);
    }

    private static void setDefaults(TestDatabase db, String... settings) {
        for (String setting : settings) {
            db.execute("ALTER DATABASE " + Ident.quote(db.name()) + " SET " + setting);
        }
    }

    /**
     * pg_dump --schema-only of a database: every type, default, constraint, index, trigger,
     * view and comment; with {@code ownersAndPrivileges} also every owner and GRANT.
     */
    static String schema(TestDatabase db, boolean ownersAndPrivileges) {
        List<String> argv = new ArrayList<>(List.of(PgBinaries.find().resolve("pg_dump").toString(), "--schema-only"));
        if (!ownersAndPrivileges) {
            argv.addAll(List.of("--no-owner", "--no-privileges"));
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
            pb.environment().putAll(db.libpqEnv());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            // \restrict carries a random key per run (PostgreSQL 15.14 and later)
            return out.lines().filter(l -> !l.startsWith("\\restrict") && !l.startsWith("\\unrestrict"))
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void assertSameRows(TestDatabase source, TestDatabase target) {
        DbState expected = DbState.of(source);
        DbState actual = DbState.of(target);
        assertTrue(expected.tables().containsKey("\"we\"\"ird\".\"x\"\"; drop table y; --\""), expected::toString);
        assertTrue(expected.tables().size() >= 7, expected::toString);
        assertEquals(expected.objects(), actual.objects());
        for (String table : expected.tables().keySet()) {
            if (!expected.tables().get(table).equals(actual.tables().get(table))) {
                // show the differing rows, not just the digests
                assertEquals(DbState.rows(source, table), DbState.rows(target, table), table);
            }
        }
        assertEquals(expected.tables(), actual.tables());
    }
}
