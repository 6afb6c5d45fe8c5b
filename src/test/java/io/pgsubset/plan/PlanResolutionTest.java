package io.pgsubset.plan;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@PgTest
class PlanResolutionTest {
    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE files (id int PRIMARY KEY, created date);
                CREATE TABLE traces (id int PRIMARY KEY, file_id int REFERENCES files);
                CREATE TABLE trace_notes (id int PRIMARY KEY, trace_id int REFERENCES traces);
                CREATE TABLE note_tags (id int PRIMARY KEY, note_id int REFERENCES trace_notes);
                CREATE TABLE lookup (id int PRIMARY KEY);
                CREATE TABLE users (id int PRIMARY KEY, lookup_id int REFERENCES lookup);
                CREATE TABLE mapping (id int PRIMARY KEY, file_id int);
                CREATE TABLE session (key text PRIMARY KEY);
                CREATE TABLE auth_user (id int PRIMARY KEY, email text);
                CREATE TABLE auth_group (id int PRIMARY KEY);
                -- a diamond: left and right both reference files, bottom references both
                CREATE TABLE d_left (id int PRIMARY KEY, file_id int REFERENCES files);
                CREATE TABLE d_right (id int PRIMARY KEY, file_id int REFERENCES files);
                CREATE TABLE d_bottom (id int PRIMARY KEY, l int REFERENCES d_left, r int REFERENCES d_right);
                -- a cycle hanging off traces
                CREATE TABLE c_a (id int PRIMARY KEY, trace_id int REFERENCES traces, b_id int);
                CREATE TABLE c_b (id int PRIMARY KEY, a_id int REFERENCES c_a);
                ALTER TABLE c_a ADD FOREIGN KEY (b_id) REFERENCES c_b;
                CREATE TABLE selfref (id int PRIMARY KEY, parent int REFERENCES selfref);
                CREATE SCHEMA other;
                CREATE TABLE other.lookup (id int PRIMARY KEY);
                CREATE TABLE other."Mixed Case" (id int PRIMARY KEY);
                CREATE TABLE other."dotted.name" (id int PRIMARY KEY);
                CREATE TABLE events (id int, at date NOT NULL, file_id int REFERENCES files, PRIMARY KEY (id, at))
                  PARTITION BY RANGE (at);
                CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                CREATE TABLE animal (id int PRIMARY KEY, name text);
                CREATE TABLE dog (bark text) INHERITS (animal);
                """);
    }

    private static ResolvedPlan resolve(TestDatabase db, String yaml) throws Exception {
        try (Connection conn = db.connect()) {
            Catalog catalog = CatalogReader.read(conn);
            return PlanResolver.resolve(PlanLoader.parse("plan.yaml", yaml), catalog);
        }
    }

    private static PlanException problems(TestDatabase db, String yaml) {
        return assertThrows(PlanException.class, () -> resolve(db, yaml));
    }

    private static TablePlan table(ResolvedPlan plan, String schema, String name) {
        return plan.table(new QualifiedName(schema, name)).orElseThrow(() -> new AssertionError("no " + name));
    }

    private static String mode(ResolvedPlan plan, String name) {
        return table(plan, "public", name).mode().keyword();
    }

    @Test
    void autoMakesTablesReferencingASampleFollowThroughChains(TestDatabase db) throws Exception {
        ResolvedPlan plan = resolve(db, """
                version: 1
                sample:
                  files: {every: 10}
                """);
        assertEquals("sample", mode(plan, "files"));
        for (String t : List.of("traces", "trace_notes", "note_tags", "d_left", "d_right", "d_bottom", "c_a", "c_b",
                "events")) {
            assertEquals("follow", mode(plan, t), t);
        }
        for (String t : List.of("lookup", "users", "mapping", "session", "selfref", "animal", "dog")) {
            assertEquals("full", mode(plan, t), t);
        }
        assertEquals("unlisted: auto; references public.files (sample) via note_tags(note_id) -> "
                + "trace_notes(trace_id) -> traces(file_id)", table(plan, "public", "note_tags").reason());
        assertEquals("unlisted: auto; references public.files (sample) via traces(file_id)",
                table(plan, "public", "traces").reason());
        assertTrue(plan.table(new QualifiedName("public", "events_2024")).isEmpty(), "partitions are covered by their root");
        assertEquals("plan.yaml:3:3: listed under sample", table(plan, "public", "files").reason());
    }

    @Test
    void resolvesGlobsQuotedNamesAndSchemas(TestDatabase db) throws Exception {
        ResolvedPlan plan = resolve(db, """
                version: 1
                unlisted: skip
                full: ["auth_*", '"other"."Mixed Case"', 'other."dotted.name"', other.lookup, "d_?ight"]
                """);
        assertEquals("full", mode(plan, "auth_user"));
        assertEquals("full", mode(plan, "auth_group"));
        assertEquals("full", mode(plan, "d_right"));
        assertEquals("skip", mode(plan, "d_left"));
        assertEquals("full", table(plan, "other", "Mixed Case").mode().keyword());
        assertEquals("full", table(plan, "other", "dotted.name").mode().keyword());
        assertEquals("full", table(plan, "other", "lookup").mode().keyword());
        assertEquals("skip", mode(plan, "lookup"));
        assertEquals("plan.yaml:3:8: full: matches auth_*", table(plan, "public", "auth_user").reason());
    }

    @Test
    void reportsAmbiguousBareNamesWithBothSchemas(TestDatabase db) {
        PlanException e = problems(db, """
                version: 1
                skip: [lookup]
                """);
        assertEquals("plan.yaml:2:8: \"lookup\" is ambiguous: it names other.lookup and public.lookup - qualify it "
                + "with its schema, e.g. other.lookup", e.problems().get(0).format());
    }

    @Test
    void schemasNarrowWhereBareNamesResolve(TestDatabase db) throws Exception {
        ResolvedPlan plan = resolve(db, """
                version: 1
                schemas: [public]
                skip: [lookup]
                """);
        assertEquals("skip", mode(plan, "lookup"));
        assertTrue(plan.table(new QualifiedName("other", "lookup")).isEmpty());
        assertEquals(List.of("public"), plan.schemas());
    }

    @Test
    void namingAPartitionSuggestsItsRoot(TestDatabase db) {
        PlanException e = problems(db, """
                version: 1
                skip: [events_2024]
                """);
        assertEquals("plan.yaml:2:8: table public.events_2024 is a partition of public.events; partitions go with "
                + "their partitioned table - name events instead", e.problems().get(0).format());
    }

    @Test
    void inheritanceChildrenAreOrdinaryTables(TestDatabase db) throws Exception {
        ResolvedPlan plan = resolve(db, """
                version: 1
                skip: [dog]
                full: [animal]
                """);
        assertEquals("skip", mode(plan, "dog"));
        assertEquals("full", mode(plan, "animal"));
    }

    @Test
    void relationsBecomeUndeclaredForeignKeysThatAutoFollows(TestDatabase db) throws Exception {
        ResolvedPlan plan = resolve(db, """
                version: 1
                sample:
                  files: {every: 10}
                relations:
                  - child: mapping(file_id)
                    parent: files(id)
                """);
        assertEquals(1, plan.relations().size());
        assertEquals("plan:mapping(file_id)->files(id)", plan.relations().get(0).name());
        assertEquals(false, plan.relations().get(0).declared());
        assertEquals("follow", mode(plan, "mapping"));
    }

    @Test
    void followViaResolvesForeignKeyRecords(TestDatabase db) throws Exception {
        ResolvedPlan plan = resolve(db, """
                version: 1
                sample:
                  files: {every: 10}
                follow:
                  d_bottom: {via: [l], limit: 5}
                """);
        Mode.Follow f = assertInstanceOf(Mode.Follow.class, table(plan, "public", "d_bottom").mode());
        assertEquals(1, f.via().size());
        assertEquals(List.of("l"), f.via().get(0).childColumns());
        assertEquals(5, f.limit().getAsLong());
    }

    @Test
    void unlistedPoliciesCoverEveryOtherTable(TestDatabase db) throws Exception {
        ResolvedPlan follow = resolve(db, """
                version: 1
                schemas: [public]
                unlisted: follow
                full: [lookup]
                """);
        assertEquals("follow", mode(follow, "users"));
        assertEquals("unlisted: follow", table(follow, "public", "users").reason());
        assertEquals("full", mode(follow, "lookup"));
        ResolvedPlan full = resolve(db, """
                version: 1
                unlisted: full
                sample:
                  files: {every: 2}
                """);
        assertEquals("full", mode(full, "traces"), "only auto makes referencing tables follow");
        assertEquals("unlisted: full", table(full, "public", "traces").reason());
    }

    @Test
    void extensionOwnedTablesAreSkippedWithTheReason(TestDatabase db) throws Exception {
        TestDatabase ext = db.sibling("ext");
        ext.execute("""
                CREATE TABLE ext_data (id int PRIMARY KEY);
                ALTER EXTENSION plpgsql ADD TABLE ext_data;
                CREATE TABLE mine (id int PRIMARY KEY);
                """);
        try (Connection conn = ext.connect()) {
            Catalog catalog = CatalogReader.read(conn);
            ResolvedPlan plan = PlanResolver.resolve(PlanLoader.parse("plan.yaml", "version: 1\nfull: ['*']\n"),
                    catalog);
            TablePlan t = table(plan, "public", "ext_data");
            assertInstanceOf(Mode.Skip.class, t.mode());
            assertEquals("owned by extension plpgsql: its rows come with CREATE EXTENSION", t.reason());
            assertEquals("full", mode(plan, "mine"));
            PlanException e = assertThrows(PlanException.class, () -> PlanResolver.resolve(
                    PlanLoader.parse("plan.yaml", "version: 1\nfull: [ext_data]\n"), catalog));
            assertEquals("plan.yaml:2:8: table public.ext_data is owned by extension plpgsql: its rows come with "
                    + "CREATE EXTENSION - remove it from full", e.problems().get(0).format());
        }
    }

    @Test
    void checkCommandSummarisesModes(TestDatabase db) {
        Cli.Result r = PlanTesting.check(db, """
                version: 1
                schemas: [public]
                sample:
                  files: {every: 10, where: "created > date '2020-01-01'"}
                skip: [session]
                """);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().trim().endsWith("plan.yaml: ok, 19 tables: 1 sample, 9 follow, 8 full, 1 skip"), r.out());
    }

    @Test
    void checkCommandReportsServerErrorsInWhereWithThePlanLine(TestDatabase db) {
        Cli.Result r = PlanTesting.check(db, """
                version: 1
                sample:
                  files: {every: 10, where: "creatd > now()"}
                """);
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().matches("(?s).*plan\\.yaml:3:29: where of public\\.files fails on the server: "
                + "column \"creatd\" does not exist - .*"), r.err());
    }
}
