package io.pgsubset.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code plan explain --counts}: exact rows per table and rows added per foreign key, down and up. */
@PgTest
class PlanExplainCountsTest {
    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE owner (id int PRIMARY KEY);
                CREATE TABLE doc (id int PRIMARY KEY, owner_id int NOT NULL REFERENCES owner);
                CREATE TABLE page (id int PRIMARY KEY, doc_id int NOT NULL REFERENCES doc);
                INSERT INTO owner SELECT generate_series(1, 5);
                INSERT INTO doc SELECT g, 1 + g % 5 FROM generate_series(1, 50) g;
                INSERT INTO page SELECT g, 1 + g % 50 FROM generate_series(1, 500) g;
                ANALYZE;
                """);
    }

    private static Path plan(Path dir) throws Exception {
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, """
                version: 1
                sample:
                  doc:
                    every: 10
                follow:
                  page: {}
                  owner: {}
                """);
        return plan;
    }

    @Test
    void countsRowsPerTableAndPerForeignKeyInOneSnapshot(TestDatabase db, @TempDir Path dir) throws Exception {
        Cli.Result r = Cli.against(db, "plan explain", "--plan", plan(dir).toString(), "--counts", "--format", "json");
        assertEquals(0, r.exitCode(), r::toString);
        JsonNode counts = new ObjectMapper().readTree(r.out()).get("counts");
        // docs 10, 20, 30, 40, 50 -> owner 1 (upward only), and 10 pages each
        assertEquals(5, rows(counts, "doc"));
        assertEquals(50, rows(counts, "page"));
        assertEquals(1, rows(counts, "owner"));
        assertEquals(56, counts.get("total_rows").asLong());
        assertEquals(50, edge(counts, "page(doc_id)", "down"));
        assertEquals(1, edge(counts, "doc(owner_id)", "up"));
    }

    @Test
    void textShowsExactRowsAndTheRowsEachKeyAdded(TestDatabase db, @TempDir Path dir) throws Exception {
        Cli.Result r = Cli.against(db, "plan explain", "--plan", plan(dir).toString(), "--counts");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("exact rows"), r.out());
        assertTrue(r.out().contains("down  public.page(doc_id) -> public.doc(id)  +50"), r.out());
        assertTrue(r.out().contains("up    public.doc(owner_id) -> public.owner(id)  +1"), r.out());
    }

    @Test
    void anEveryLargerThanTheTableSaysItSamplesNoRow(TestDatabase db, @TempDir Path dir) throws Exception {
        Path plan = dir.resolve("sparse.yaml");
        Files.writeString(plan, "version: 1\nsample:\n  doc: {every: 60}\n  owner: {every: 2, where: \"id > 3\"}\n");
        String note = "note: public.doc: every: 60 samples no row: the table has fewer than 60 rows";
        Cli.Result explain = Cli.against(db, "plan explain", "--plan", plan.toString(), "--counts");
        assertEquals(0, explain.exitCode(), explain::toString);
        assertTrue(explain.out().contains(note), explain.out());
        // owner: rows 4, 5 match the where, row 2 of them is taken: no note
        assertTrue(!explain.out().contains("public.owner: every"), explain.out());
        Cli.Result sizes = Cli.against(db, "sizes", "--plan", plan.toString());
        assertEquals(0, sizes.exitCode(), sizes::toString);
        assertTrue(sizes.out().contains(note), sizes.out());
        Cli.Result json = Cli.against(db, "sizes", "--plan", plan.toString(), "--format", "json");
        JsonNode notes = new ObjectMapper().readTree(json.out()).get("notes");
        assertEquals(1, notes.size(), json.out());
        assertTrue(notes.get(0).asText().startsWith("public.doc: every: 60"), json.out());
        JsonNode counts = new ObjectMapper().readTree(Cli.against(db, "plan explain", "--plan", plan.toString(),
                "--counts", "--format", "json").out()).get("counts");
        assertEquals(0, rows(counts, "doc"));
        assertEquals(1, rows(counts, "owner"));
        assertEquals(1, counts.get("notes").size());
    }

    private static long rows(JsonNode counts, String table) {
        for (JsonNode t : counts.get("tables")) {
            if (t.get("table").asText().equals(table)) {
                return t.get("rows").asLong();
            }
        }
        throw new AssertionError(table);
    }

    private static long edge(JsonNode counts, String childPart, String direction) {
        for (JsonNode e : counts.get("edges")) {
            if (e.get("edge").asText().contains(childPart) && e.get("direction").asText().equals(direction)) {
                return e.get("rows_added").asLong();
            }
        }
        throw new AssertionError(childPart + " " + direction + " in " + counts);
    }
}
