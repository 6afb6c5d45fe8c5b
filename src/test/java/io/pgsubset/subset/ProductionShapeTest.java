package io.pgsubset.subset;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.plan.SampleRate;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shape pgsubset is built for (scripts/sql/production-shape.sql), small: 5000 files, 26 traces each. */
@PgTest
class ProductionShapeTest {
    private static final int FILES = 5000;

    @BeforeAll
    static void load(TestDatabase db) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-q", "-v", "files=" + FILES, "-v", "payload=16", "-f",
                Path.of("scripts/sql/production-shape.sql").toAbsolutePath().toString());
        pb.environment().putAll(db.libpqEnv());
        pb.redirectErrorStream(true);
        pb.redirectOutput(new File("target/production-shape-load.log"));
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "psql timed out");
        assertEquals(0, p.exitValue(), "psql failed, see target/production-shape-load.log");
    }

    private static Plans plan(Catalog c, long traceLimit) {
        return Plans.on(c)
                .sample("waveforms_file", new SampleRate.Every(500), List.of("id"), 10_000L, null)
                .follow("waveforms_continuoustrace", traceLimit)
                .follow("waveforms_mapping")
                .relation("mapping_file", "waveforms_mapping", List.of("file_id"), "waveforms_file", List.of("id"))
                .skip("django_session");
    }

    private static TreeSet<String> fileIds() {
        TreeSet<String> out = new TreeSet<>();
        for (int id = 500; id <= FILES; id += 500) {
            out.add(Integer.toString(id));
        }
        return out;
    }

    @Test
    void samplesEvery500thFileAndFollowsAllItsTraces(TestDatabase db) {
        Engine.Run run = Engine.run(db, c -> plan(c, 50_000L).build());
        assertEquals(fileIds(), run.rows("waveforms_file"));
        TreeSet<String> traces = new TreeSet<>(db.query("""
                SELECT id FROM waveforms_continuoustrace
                 WHERE file_id IN (500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000)""")
                .stream().map(r -> r.get(0)).toList());
        assertEquals(260, traces.size());
        assertEquals(traces, run.rows("waveforms_continuoustrace"));
        assertEquals(fileIds(), run.rows("waveforms_mapping").stream()
                .map(id -> db.queryValue("SELECT file_id FROM waveforms_mapping WHERE id = " + id))
                .collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
        assertEquals(0, run.subset().table(Plans.name("django_session")).orElseThrow().rows());
    }

    @Test
    void childrenWithoutLimitAreSelectedByTheirParentsKeysInOneStatementWithTheSameRows(TestDatabase db) {
        java.util.function.Function<Catalog, io.pgsubset.plan.ResolvedPlan> plan = c -> Plans.on(c)
                .sample("waveforms_file", new SampleRate.Every(10), List.of("id"), null, null)
                .follow("waveforms_continuoustrace")
                .follow("waveforms_mapping")
                .relation("mapping_file", "waveforms_mapping", List.of("file_id"), "waveforms_file", List.of("id"))
                .skip("django_session")
                .build();
        Engine.Run fetched = Engine.run(db, plan);
        Engine.Run joined = Engine.run(db, plan, Closure.Options.defaults().withChildrenByParents(true)
                .withCountAllRows(true).withMaxKeysPerStatement(7));
        assertEquals(fetched.rows(), joined.rows());
        assertEquals(FILES / 10 * 26, joined.rows("waveforms_continuoustrace").size());
        for (String table : List.of("waveforms_continuoustrace", "waveforms_mapping")) {
            RowSelection selection = joined.subset().table(Plans.name(table)).orElseThrow().selection();
            assertTrue(selection instanceof ChildrenOfParents, table + ": " + selection);
            // one statement whatever the number of keys: no pass over the child table per chunk
            assertEquals(1, ((RowSelection.KeyedRows) selection).predicates("t", 7).size());
        }
        assertTrue(fetched.subset().table(Plans.name("waveforms_continuoustrace")).orElseThrow().selection()
                instanceof KeyedSelection);
    }

    /**
     * A follow limit the sampled parents' children stay within takes nothing away: the server joins
     * the table as if it had none, with its count exact (the copy is checked against it). One row
     * fewer and the limit binds: the keys are fetched in index order as before.
     */
    @Test
    void aFollowLimitTheChildrenStayWithinIsJoinedByTheServerWithAnExactCount(TestDatabase db) {
        int traces = FILES / 500 * 26;
        for (long limit : List.of((long) traces, traces - 1L)) {
            java.util.function.Function<Catalog, io.pgsubset.plan.ResolvedPlan> plan = c -> Plans.on(c)
                    .sample("waveforms_file", new SampleRate.Every(500), List.of("id"), 10_000L, null)
                    .follow("waveforms_continuoustrace", limit)
                    .build();
            Engine.Run fetched = Engine.run(db, plan);
            Engine.Run joined = Engine.run(db, plan,
                    Closure.Options.defaults().withChildrenByParents(true).withMaxKeysPerStatement(3));
            assertEquals(fetched.rows(), joined.rows(), "limit " + limit);
            TableSubset t = joined.subset().table(Plans.name("waveforms_continuoustrace")).orElseThrow();
            assertEquals(Math.min(limit, traces), t.rows(), "limit " + limit);
            assertTrue(t.counted(), "limit " + limit + ": an exact count");
            assertEquals(limit >= traces, t.selection() instanceof ChildrenOfParents, limit + ": " + t.selection());
        }
    }

    @Test
    void followLimitTakesChildrenInForeignKeyIndexOrder(TestDatabase db) {
        Engine.Run run = Engine.run(db, c -> plan(c, 100L).build());
        TreeSet<String> expected = new TreeSet<>(db.query("""
                SELECT id FROM waveforms_continuoustrace
                 WHERE file_id IN (500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000)
                 ORDER BY file_id, id LIMIT 100""").stream().map(r -> r.get(0)).toList());
        assertEquals(expected, run.rows("waveforms_continuoustrace"));
        // every child's file is in the subset
        for (List<String> row : db.query("SELECT DISTINCT file_id FROM waveforms_continuoustrace WHERE id IN ("
                + String.join(",", run.rows("waveforms_continuoustrace")) + ")")) {
            assertTrue(run.rows("waveforms_file").contains(row.get(0)), row.get(0));
        }
    }

    @Test
    void childQueryUsesTheForeignKeyIndexNotASeqScan(TestDatabase db) throws Exception {
        Catalog catalog = Engine.catalog(db);
        String sql = Closure.downwardStatements(catalog, plan(catalog, 50_000L).build())
                .get("waveforms_continuoustrace_file_id_fkey");
        List<String> plan = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement st = c.prepareStatement("EXPLAIN " + sql)) {
            st.setArray(1, c.createArrayOf("int8", new Long[] {1L, 501L, 1001L, 1501L, 2001L}));
            st.setLong(2, 50_000);
            st.setLong(3, 0);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    plan.add(rs.getString(1));
                }
            }
        }
        String text = String.join("\n", plan);
        assertTrue(text.contains("waveforms_continuoustrace_file_id"), text);
        assertFalse(text.contains("Seq Scan on waveforms_continuoustrace"), text);
    }
}
