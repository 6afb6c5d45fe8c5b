package io.pgsubset.restore;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Materialized views come back populated when they were in the source: refreshed after the data,
 * in dependency order ("A top" reads "z base" through a plain view, so name order would fail), and
 * over the restored subset's rows; an unpopulated one stays unpopulated.
 */
@PgTest
class MaterializedViewRestoreTest {
    static Path dumpDir;

    @BeforeAll
    static void dump(TestDatabase db, @TempDir Path tmp) throws Exception {
        db.execute("""
                CREATE TABLE reading (id int PRIMARY KEY, v int NOT NULL);
                INSERT INTO reading SELECT g, g % 7 FROM generate_series(1, 100) g;
                CREATE MATERIALIZED VIEW "z base" AS SELECT v, count(*) AS n FROM reading GROUP BY v;
                CREATE VIEW "over ""base""\" AS SELECT v, n FROM "z base" WHERE n > 0;
                CREATE MATERIALIZED VIEW "A top" AS SELECT sum(n) AS total FROM "over ""base""\";
                CREATE UNIQUE INDEX ON "z base" (v);
                CREATE MATERIALIZED VIEW never AS SELECT id FROM reading WITH NO DATA;
                """);
        Path plan = tmp.resolve("plan.yaml");
        Files.writeString(plan, "version: 1\nsample:\n  reading: {every: 4}\n");
        dumpDir = tmp.resolve("out");
        Cli.Result r = Cli.against(db, "dump", "-o", dumpDir.toString(), "--quiet", "--plan", plan.toString());
        assertEquals(0, r.exitCode(), r::toString);
    }

    @Test
    void manifestListsTheViewsInRefreshOrderWithTheirState() {
        Manifest m = ManifestIO.read(dumpDir);
        // "A top" sorts first by name; "z base", which it reads through a view, still comes before it
        assertEquals(List.of(new Manifest.MaterializedViewEntry("public", "z base", true),
                new Manifest.MaterializedViewEntry("public", "A top", true),
                new Manifest.MaterializedViewEntry("public", "never", false)), m.materializedViews());
    }

    @Test
    void restoreShRefreshesThePopulatedViewsOverTheRestoredRows(TestDatabase db) throws Exception {
        TestDatabase target = db.sibling("mv_script");
        TestDumps.ProcessResult r = TestDumps.runScript(dumpDir, target.libpqEnv());
        assertEquals(0, r.exitCode(), r::toString);
        assertRefreshed(target);
        assertVerified(target);
    }

    @Test
    void pgsubsetRestoreRefreshesThePopulatedViewsOverTheRestoredRows(TestDatabase db) {
        TestDatabase target = db.sibling("mv_java");
        List<String> args = new ArrayList<>(List.of("restore", dumpDir.toString(), "--jobs", "2"));
        args.addAll(target.connectionArgs());
        Cli.Result r = Cli.run(Map.of(), args);
        assertEquals(0, r.exitCode(), r::toString);
        assertRefreshed(target);
        assertVerified(target);
    }

    /** 25 of the 100 readings were dumped: the views count those, not the source's 100. */
    private static void assertRefreshed(TestDatabase target) {
        assertEquals("25", target.queryValue("SELECT count(*) FROM reading"));
        assertEquals("25", target.queryValue("SELECT total FROM \"A top\""));
        assertEquals("7", target.queryValue("SELECT count(*) FROM \"z base\""));
        assertEquals("f", target.queryValue("SELECT relispopulated FROM pg_class WHERE relname = 'never'"));
    }

    private static void assertVerified(TestDatabase target) {
        List<String> verify = new ArrayList<>(List.of("verify", dumpDir.toString()));
        verify.addAll(target.connectionArgs());
        Cli.Result v = Cli.run(Map.of(), verify);
        assertEquals(0, v.exitCode(), v::toString);
        assertTrue(v.out().lines().anyMatch(l -> l.contains("materialized view") && l.contains("public.A top")
                && l.contains("populated, 1 rows")), v.out());
        assertTrue(v.out().lines().anyMatch(l -> l.contains("public.z base") && l.contains("populated, 7 rows")),
                v.out());
        assertTrue(v.out().lines().anyMatch(l -> l.contains("public.never")
                && l.contains("not populated, as in the source")), v.out());

        target.execute("REFRESH MATERIALIZED VIEW never");
        Cli.Result differs = Cli.run(Map.of(), verify);
        assertEquals(1, differs.exitCode(), differs::toString);
        assertTrue(differs.out().contains("populated, but it was not in the source"), differs.out());
        target.execute("DROP MATERIALIZED VIEW never; CREATE MATERIALIZED VIEW never AS SELECT id FROM reading "
                + "WITH NO DATA; DROP MATERIALIZED VIEW \"A top\"; CREATE MATERIALIZED VIEW \"A top\" AS "
                + "SELECT sum(n) AS total FROM \"over \"\"base\"\"\" WITH NO DATA");
        Cli.Result unpopulated = Cli.run(Map.of(), verify);
        assertEquals(1, unpopulated.exitCode(), unpopulated::toString);
        assertTrue(unpopulated.out().contains("not populated (it was in the source)"), unpopulated.out());
    }
}
