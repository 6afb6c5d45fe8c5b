package io.pgsubset.reliability;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.DbState;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real extensions end to end: a database with PostGIS (geometry and geography columns with type
 * modifiers, spatial_ref_sys with custom SRIDs), citext (a UNIQUE key a foreign key references),
 * hstore, pg_trgm (a GIN index), btree_gist (an exclusion constraint) and pgcrypto (column
 * defaults), dumped with a subset plan and in full, restored by restore.sh and pgsubset restore,
 * verified with no difference and compared with the source value by value. spatial_ref_sys is
 * PostGIS's configuration table: only its user rows are dumped, CREATE EXTENSION makes the 8500
 * others, and verify checks it through the extension's filter.
 */
@PgTest
class ExtensionsTest {
    static final List<String> EXTENSIONS = List.of("postgis", "citext", "hstore", "pg_trgm", "btree_gist", "pgcrypto");
    static final String SRS = "public.spatial_ref_sys";

    @BeforeAll
    static void fixture(TestDatabase db) {
        List<String> missing = new ArrayList<>(EXTENSIONS);
        db.query("SELECT name FROM pg_catalog.pg_available_extensions").forEach(r -> missing.remove(r.get(0)));
        if (!missing.isEmpty()) {
            String note = "note: ExtensionsTest skipped: extensions " + missing + " are not available on the "
                    + "PostgreSQL server of this run (" + db.queryValue("SELECT pg_catalog.version()")
                    + "); on Debian install postgresql-<major>-postgis-3 for the server's major version";
            System.err.println(note);
            Assumptions.assumeTrue(false, note);
        }
        db.execute(Dumps.resource("/extensions/extensions.sql"));
    }

    @Test
    void fullDumpRestoresEveryValueAndVerifiesSpatialRefSysThroughItsFilter(TestDatabase db, @TempDir Path tmp) {
        Path plan = tmp.resolve("plan.yaml");
        Cli.Result init = Cli.against(db, "plan init", "-o", plan.toString());
        assertEquals(0, init.exitCode(), init::toString);
        Path out = tmp.resolve("dump");
        Manifest m = Dumps.dumpOk(db, out, "--plan", plan.toString());
        Manifest.TableEntry srs = entry(m, "spatial_ref_sys");
        assertEquals(2, srs.rows(), "only the user rows of spatial_ref_sys are dumped");
        assertEquals("postgis", srs.extension().orElseThrow().name());
        assertTrue(srs.extension().orElseThrow().filter().orElseThrow().startsWith("NOT ("), srs::toString);

        TestDatabase target = db.sibling("sh");
        Cli.Result restored = Dumps.restoreSh(out, target);
        assertEquals(0, restored.exitCode(), restored::toString);
        assertSameSchema(db, target);
        assertEquals(DbState.of(db), DbState.of(target));

        long own = db.queryLong("SELECT count(*) FROM spatial_ref_sys WHERE srid < 990001");
        assertTrue(own > 1000, "PostGIS ships thousands of SRIDs: " + own);
        Cli.Result verified = Dumps.verify(target, out);
        assertEquals(0, verified.exitCode(), verified::toString);
        assertTrue(verified.out().contains("2 rows passing the filter of extension postgis, content equal; " + own
                + " rows from CREATE EXTENSION postgis, not checked"), verified::toString);

        // the extension's own rows are not the dump's business; a user row of the configuration table is
        target.execute("DELETE FROM spatial_ref_sys WHERE srid = 3857");
        Cli.Result extensionRowGone = Dumps.verify(target, out);
        assertEquals(0, extensionRowGone.exitCode(), extensionRowGone::toString);
        assertTrue(extensionRowGone.out().contains((own - 1) + " rows from CREATE EXTENSION postgis, not checked"),
                extensionRowGone::toString);
        target.execute("UPDATE spatial_ref_sys SET proj4text = '+proj=changed' WHERE srid = 990002");
        Cli.Result userRowChanged = Dumps.verify(target, out);
        assertEquals(1, userRowChanged.exitCode(), userRowChanged::toString);
        assertTrue(userRowChanged.err().contains("table " + SRS + ": 2 rows passing the filter of extension postgis "
                + "as in the manifest, but their content differs"), userRowChanged::toString);
    }

    @Test
    void subsetPlanRestoresSourceValuesAndFollowsOnlyUserRowsOfSpatialRefSys(TestDatabase db, @TempDir Path tmp) {
        // spatial_ref_sys follows: it gets the parents of the sampled places that are user rows
        // (990001); the extension's own (4326) are referenced too, but come with CREATE EXTENSION.
        // Only schema public: pg_dump -n, which alone would leave out every CREATE EXTENSION.
        Path plan = Dumps.plan(tmp, """
                version: 1
                schemas: [public]
                sample:
                  place: {every: 10}
                follow:
                  spatial_ref_sys: {}
                """);
        Path out = tmp.resolve("dump");
        Manifest m = Dumps.dumpOk(db, out, "--plan", plan.toString(), "--jobs", "2");
        assertEquals(1, entry(m, "spatial_ref_sys").rows(), () -> m.tables().toString());
        assertEquals(10, entry(m, "place").rows());
        assertEquals(30, entry(m, "booking").rows());

        assertTrue(Dumps.allText(out.resolve("schema")).contains("CREATE EXTENSION IF NOT EXISTS postgis"), "-e");
        TestDatabase target = db.sibling("java");
        Cli.Result restored = Dumps.restore(target, out, "--jobs", "2");
        assertEquals(0, restored.exitCode(), restored::toString);
        Cli.Result verified = Dumps.verify(target, out);
        assertEquals(0, verified.exitCode(), verified::toString);
        assertTrue(verified.out().contains("1 rows passing the filter of extension postgis, content equal"),
                verified::toString);

        assertSameSchema(db, target);
        assertEquals("0", target.queryValue("SELECT count(*) FROM pg_namespace WHERE nspname = 'audit'"));
        for (String table : List.of("public.\"Account\"", "public.place", "public.booking", SRS)) {
            List<String> source = DbState.rows(db, table);
            List<String> copied = DbState.rows(target, table);
            assertFalse(copied.isEmpty(), table);
            List<String> foreign = copied.stream().filter(r -> !source.contains(r)).toList();
            assertEquals(List.of(), foreign, table + ": rows that differ from every source row");
        }
        assertEquals(db.query("SELECT srid FROM spatial_ref_sys WHERE srid <> 990002 ORDER BY 1"),
                target.query("SELECT srid FROM spatial_ref_sys ORDER BY 1"));
        // the copied values keep their meaning: the same points, areas, hstore pairs, citext matches
        String values = """
                SELECT p.id, ST_AsEWKT(p.pos), ST_AsEWKT(p.local), ST_Area(p.area), p.attrs_of_owner,
                       p.name % 'place 5', b.n
                  FROM (SELECT place.*, a.attrs AS attrs_of_owner FROM place
                          JOIN "Account" a ON a.email = place.owner) p
                  LEFT JOIN (SELECT place_id, count(*) AS n FROM booking GROUP BY 1) b ON b.place_id = p.id
                 ORDER BY p.id""";
        List<List<String>> copied = target.query(values);
        assertEquals(10, copied.size());
        List<List<String>> source = db.query(values.replace("ORDER BY p.id",
                "WHERE p.id IN (" + String.join(",", copied.stream().map(r -> r.get(0)).toList()) + ") ORDER BY p.id"));
        assertEquals(source, copied);
    }

    /** clone: the same extensions, values and user rows of spatial_ref_sys, counted in flight through the filter. */
    @Test
    void cloneCarriesEveryValueAndOnlyUserRowsOfSpatialRefSys(TestDatabase db, @TempDir Path tmp) throws IOException {
        Path plan = tmp.resolve("plan.yaml");
        Cli.Result init = Cli.against(db, "plan init", "-o", plan.toString());
        assertEquals(0, init.exitCode(), init::toString);
        TestDatabase target = db.absentSibling("clone");
        Cli.Result cloned = Cli.against(db, "clone", "--plan", plan.toString(), "--target", target.conninfo(),
                "--create", "--jobs", "2", "-q", "--format", "json");
        assertEquals(0, cloned.exitCode(), cloned::toString);
        com.fasterxml.jackson.databind.JsonNode srs = null;
        for (com.fasterxml.jackson.databind.JsonNode t : new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(cloned.out()).path("tables")) {
            if (t.path("table").asText().equals("spatial_ref_sys")) {
                srs = t;
            }
        }
        assertTrue(srs != null, cloned::toString);
        assertEquals(2, srs.path("rows").asLong(), "only the user rows travel: " + srs);
        assertTrue(srs.path("ok").asBoolean(), srs::toString);
        assertSameSchema(db, target);
        assertEquals(DbState.of(db), DbState.of(target));
    }

    @Test
    void planInitExplainAndSizesShowTheRowsADumpCarriesOfExtensionTables(TestDatabase db, @TempDir Path tmp)
            throws IOException {
        long all = db.queryLong("SELECT count(*) FROM spatial_ref_sys");
        String note = "configuration table of extension postgis: its filter selects 2 of " + all + " rows as user "
                + "data, the only rows a dump carries; CREATE EXTENSION makes the other " + (all - 2);
        Path plan = tmp.resolve("plan.yaml");
        Cli.Result init = Cli.against(db, "plan init", "-o", plan.toString());
        assertEquals(0, init.exitCode(), init::toString);
        String yaml = java.nio.file.Files.readString(plan);
        assertTrue(yaml.lines().anyMatch(l -> l.startsWith("  - spatial_ref_sys ") && l.endsWith(note)), yaml);

        Cli.Result explain = Cli.against(db, "plan explain", "--plan", plan.toString(), "--counts");
        assertEquals(0, explain.exitCode(), explain::toString);
        assertTrue(explain.out().contains("tables of extensions:\n  public.spatial_ref_sys  " + note + "\n"),
                explain::toString);
        assertTrue(explain.out().lines().anyMatch(l -> l.matches("public\\.spatial_ref_sys +full +2 .*")),
                explain::toString);

        Cli.Result sizes = Cli.against(db, "sizes", "--plan", plan.toString(), "--format", "json");
        assertEquals(0, sizes.exitCode(), sizes::toString);
        com.fasterxml.jackson.databind.JsonNode srs = null;
        for (com.fasterxml.jackson.databind.JsonNode t : new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(sizes.out()).path("tables")) {
            if (t.path("table").asText().equals("spatial_ref_sys")) {
                srs = t;
            }
        }
        assertTrue(srs != null, sizes::toString);
        assertEquals(2, srs.path("planned_rows").asLong(), srs::toString);
        assertTrue(srs.path("planned_bytes").asLong() < srs.path("heap_bytes").asLong() / 100, srs::toString);
        assertEquals("postgis", srs.path("extension").path("name").asText(), srs::toString);
        assertEquals(2, srs.path("extension").path("filter_rows").asLong(), srs::toString);
        assertEquals(all, srs.path("extension").path("all_rows").asLong(), srs::toString);

        // a table an extension owns: no rows in a dump, and sizes says why
        TestDatabase owned = db.sibling("owned");
        owned.execute("CREATE TABLE ext_data (i int); INSERT INTO ext_data VALUES (1); "
                + "ALTER EXTENSION plpgsql ADD TABLE ext_data;");
        Cli.Result ownedSizes = Cli.against(owned, "sizes");
        assertEquals(0, ownedSizes.exitCode(), ownedSizes::toString);
        assertTrue(ownedSizes.out().contains("tables of extensions:\n  public.ext_data  owned by extension plpgsql: "
                + "its rows come with CREATE EXTENSION\n"), ownedSizes::toString);
    }

    @Test
    void aSkippedSpatialRefSysCountsOnlyReferencesToItsUserRows(TestDatabase db, @TempDir Path tmp) {
        // place.srid references PostGIS's own SRIDs (there on every target) and the custom one
        Path plan = Dumps.plan(tmp, "version: 1\nschemas: [public]\nskip: [spatial_ref_sys]\n");
        long toUserRows = db.queryLong("SELECT count(*) FROM place WHERE srid >= 990001");
        assertTrue(db.queryLong("SELECT count(*) FROM place WHERE srid = 4326") > 0);
        Cli.Result r = Cli.against(db, "plan explain", "--plan", plan.toString(), "--counts");
        Dumps.assertOneClearError(r, 2);
        assertTrue(r.err().contains("table public.place column srid: " + toUserRows + " included rows reference "
                + "skipped table public.spatial_ref_sys"), r::toString);
    }

    static Manifest.TableEntry entry(Manifest m, String name) {
        return m.tables().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    /** Column types with their modifiers, constraints, indexes and extensions, as the server prints them. */
    static void assertSameSchema(TestDatabase source, TestDatabase target) {
        String schema = """
                SELECT 'column ' || c.oid::regclass || '.' || a.attname || ' '
                       || pg_catalog.format_type(a.atttypid, a.atttypmod) || coalesce(' DEFAULT '
                       || pg_catalog.pg_get_expr(d.adbin, d.adrelid), '')
                  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0
                   AND NOT a.attisdropped
                UNION ALL
                SELECT 'constraint ' || conrelid::regclass || ' ' || pg_catalog.pg_get_constraintdef(oid)
                  FROM pg_catalog.pg_constraint WHERE connamespace = 'public'::regnamespace
                UNION ALL
                SELECT 'index ' || pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index i
                  JOIN pg_catalog.pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace
                UNION ALL
                SELECT 'extension ' || extname || ' ' || extversion FROM pg_catalog.pg_extension
                ORDER BY 1""";
        List<List<String>> expected = source.query(schema);
        assertTrue(expected.stream().anyMatch(r -> r.get(0).equals("column place.local geometry(PointZ,990001)")),
                expected::toString);
        assertTrue(expected.stream().anyMatch(r -> r.get(0).startsWith("constraint booking EXCLUDE USING gist")),
                expected::toString);
        assertEquals(expected, target.query(schema));
    }
}
