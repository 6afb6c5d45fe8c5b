package io.pgsubset.reliability;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import io.pgsubset.testing.ZonkyBinaries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Older source servers: the fidelity fixture (every type, hostile names) plus a foreign-key chain,
 * on PostgreSQL 12, 13, 14 (embedded binaries from Maven Central) and 15 (installed), dumped with a
 * subset plan by the installed pg_dump 15, restores into PostgreSQL 15 and verifies; the restored
 * rows equal the source rows. The default suite runs the oldest, 12 (its server is shared with the
 * other tests that need one); 13, 14 and 15 with {@code -Dpgsubset.long=true} (a server each).
 */
@PgTest
class OlderServersTest {
    private static final String CHAIN = ServerVersionsTest.CHAIN;
    private static final String PLAN = ServerVersionsTest.PLAN;

    @Test
    void dumpOfTheOldestServerRestoresInto15AndVerifies(TestDatabase db, @TempDir Path tmp) {
        int major = ZonkyBinaries.OLDEST;
        dumpRestoreVerify(major, TestDatabase.create(ZonkyBinaries.sharedCluster(major), "src" + major), db, tmp);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {13, 14, 15})
    @EnabledIfSystemProperty(named = "pgsubset.long", matches = "true")
    void dumpOfOlderServerRestoresInto15AndVerifies(int major, TestDatabase db, @TempDir Path tmp) {
        PgCluster server = major == 15 ? null : ZonkyBinaries.start(major);
        try {
            dumpRestoreVerify(major, major == 15 ? db.sibling("src15") : TestDatabase.create(server, "src" + major),
                    db, tmp);
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private static void dumpRestoreVerify(int major, TestDatabase source, TestDatabase db, Path tmp) {
        assertTrue(source.queryValue("SHOW server_version").startsWith(major + "."));
        source.execute(FidelityTest.fixtureSql());
        source.execute(CHAIN);

        Path out = tmp.resolve("dump");
        Manifest m = Dumps.dumpOk(source, out, "--plan", Dumps.plan(tmp, PLAN).toString(), "--jobs", "2");
        assertEquals(major, m.source().serverVersionNum() / 10000);
        assertEquals(200L, Dumps.manifestRows(m).get("public.invoice"));

        TestDatabase target = db.sibling("from" + major);
        Cli.Result r = Dumps.restore(target, out);
        assertEquals(0, r.exitCode(), r::toString);
        Cli.Result verified = Dumps.verify(target, out);
        assertEquals(0, verified.exitCode(), verified::toString);
        for (String table : List.of("\"My Schema\".\"Every Type\"", "\"we\"\"ird\".\"x\"\"; drop table y; --\"",
                "\"a.b\".\"t.with.dots\"")) {
            assertEquals(io.pgsubset.testing.DbState.rows(source, table),
                    io.pgsubset.testing.DbState.rows(target, table), table);
        }
        // every line of every sampled invoice, as in the source
        String sampled = String.join(",", target.query("SELECT id FROM invoice").stream().map(row -> row.get(0))
                .toList());
        assertEquals(source.query("SELECT * FROM line WHERE invoice_id IN (" + sampled + ") ORDER BY 1, 2"),
                target.query("SELECT * FROM line ORDER BY 1, 2"));
    }
}
