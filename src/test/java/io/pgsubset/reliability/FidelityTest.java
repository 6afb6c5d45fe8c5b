package io.pgsubset.reliability;

import io.pgsubset.testing.Cli;
import io.pgsubset.testing.DbState;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guarantee 3 (faithful): every restored row equals its source row, for every type of the fixture
 * (SPEC's list plus composites, ranges, uuid, inet/cidr, xml, bit varying, tsvector, money,
 * multi-dimensional arrays, a 13 MB text) in schemas, tables and columns with hostile names (mixed
 * case, spaces, dots, double quotes, SQL keywords, an injection attempt), through both restore.sh
 * and pgsubset restore.
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

    @Test
    void restoreShReproducesEveryRowAndObject(TestDatabase db, @TempDir Path tmp) {
        Path out = tmp.resolve("dump");
        Dumps.dumpOk(db, out);
        TestDatabase target = db.sibling("sh");
        Cli.Result r = Dumps.restoreSh(out, target);
        assertEquals(0, r.exitCode(), r::toString);
        assertSameRows(db, target);
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
        Cli.Result verified = Dumps.verify(target, out);
        assertEquals(0, verified.exitCode(), verified::toString);
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
