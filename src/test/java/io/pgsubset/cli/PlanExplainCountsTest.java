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
        // docs 1, 11, 21, 31, 41 -> owners 2 (upward only), and 10 pages each
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
