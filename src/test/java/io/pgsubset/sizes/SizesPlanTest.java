package io.pgsubset.sizes;

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

/** {@code sizes --plan}: exact planned rows per table from the engine, estimated bytes, totals. */
@PgTest
class SizesPlanTest {
    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE parent (id int PRIMARY KEY, payload text);
                CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent, payload text);
                CREATE TABLE lookup (id int PRIMARY KEY);
                INSERT INTO parent SELECT g, repeat('p', 100) FROM generate_series(1, 100) g;
                INSERT INTO child SELECT g, 1 + g % 100, repeat('c', 100) FROM generate_series(1, 1000) g;
                INSERT INTO lookup SELECT generate_series(1, 7);
                ANALYZE;
                """);
    }

    private static Path plan(Path dir) throws Exception {
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, """
                version: 1
                sample:
                  parent:
                    every: 10
                follow:
                  child: {}
                """);
        return plan;
    }

    @Test
    void showsExactPlannedRowsAndBytesPerTable(TestDatabase db, @TempDir Path dir) throws Exception {
        Cli.Result r = Cli.against(db, "sizes", "--plan", plan(dir).toString(), "--format", "json");
        assertEquals(0, r.exitCode(), r::toString);
        JsonNode json = new ObjectMapper().readTree(r.out());
        long total = 0;
        for (JsonNode t : json.get("tables")) {
            String name = t.get("table").asText();
            long expected = switch (name) {
                case "parent" -> 10;
                case "child" -> 100;
                case "lookup" -> 7;
                default -> throw new AssertionError(name);
            };
            assertEquals(expected, t.get("planned_rows").asLong(), name);
            assertTrue(t.get("planned_bytes").asLong() > 0, name);
            total += expected;
        }
        assertEquals(total, json.get("total").get("planned_rows").asLong());
        assertEquals("sample", find(json, "parent").get("mode").asText());
        // a tenth of the child's rows: about a tenth of its data
        long childBytes = find(json, "child").get("planned_bytes").asLong();
        long heap = find(json, "child").get("heap_bytes").asLong() + find(json, "child").get("toast_bytes").asLong();
        assertTrue(childBytes >= heap / 20 && childBytes <= heap / 5, childBytes + " of " + heap);
    }

    @Test
    void textOutputHasPlannedColumnsAndTotals(TestDatabase db, @TempDir Path dir) throws Exception {
        Cli.Result r = Cli.against(db, "sizes", "--plan", plan(dir).toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("planned rows"), r.out());
        String totalLine = r.out().lines().filter(l -> l.contains("total (3 tables)")).findFirst().orElseThrow();
        assertTrue(totalLine.contains(" 117 "), totalLine);
        String child = r.out().lines().filter(l -> l.contains(" child ")).findFirst().orElseThrow();
        assertTrue(child.contains("follow") && child.contains(" 100 "), child);
    }

    private static JsonNode find(JsonNode json, String table) {
        for (JsonNode t : json.get("tables")) {
            if (t.get("table").asText().equals(table)) {
                return t;
            }
        }
        throw new AssertionError(table);
    }
}
