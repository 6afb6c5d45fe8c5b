package io.pgsubset.sizes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@PgTest
class SizesCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE big (id int PRIMARY KEY, payload text);
                INSERT INTO big SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 20000) g;
                CREATE TABLE small (id int PRIMARY KEY, name text UNIQUE);
                INSERT INTO small SELECT g, 'n' || g FROM generate_series(1, 100) g;
                CREATE TABLE toasty (id int PRIMARY KEY, doc text);
                INSERT INTO toasty SELECT g, (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400))
                  FROM generate_series(1, 50) g;
                CREATE TABLE events (id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
                CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
                INSERT INTO events SELECT g, date '2024-01-01' + (g % 700) FROM generate_series(1, 5000) g;
                CREATE SCHEMA other;
                CREATE TABLE other."Mixed Case" (id int);
                INSERT INTO other."Mixed Case" SELECT generate_series(1, 10);
                ANALYZE;
                """);
    }

    private static JsonNode json(TestDatabase db, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(more));
        args.add("--format");
        args.add("json");
        Cli.Result r = Cli.against(db, "sizes", args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r::toString);
        return JSON.readTree(r.out());
    }

    private static JsonNode find(JsonNode tables, String table) {
        for (JsonNode t : tables) {
            if (t.get("table").asText().equals(table)) {
                return t;
            }
        }
        throw new AssertionError("no table " + table + " in " + tables);
    }

    @Test
    void reportsTheServersOwnFiguresForEveryTable(TestDatabase db) throws Exception {
        JsonNode tables = json(db).get("tables");
        for (String name : List.of("big", "small", "toasty")) {
            JsonNode t = find(tables, name);
            assertEquals(db.queryLong("SELECT pg_total_relation_size('public." + name + "')"),
                    t.get("total_bytes").asLong(), name);
            assertEquals(db.queryLong("SELECT pg_relation_size('public." + name + "')"),
                    t.get("heap_bytes").asLong(), name);
            assertEquals(db.queryLong("SELECT pg_indexes_size('public." + name + "')"),
                    t.get("index_bytes").asLong(), name);
            assertEquals(db.queryLong("SELECT coalesce(pg_total_relation_size(reltoastrelid), 0) FROM pg_class"
                    + " WHERE oid = 'public." + name + "'::regclass"), t.get("toast_bytes").asLong(), name);
            assertEquals(db.queryLong("SELECT reltuples::bigint FROM pg_class WHERE oid = 'public." + name
                    + "'::regclass"), t.get("estimated_rows").asLong(), name);
        }
        assertTrue(find(tables, "toasty").get("toast_bytes").asLong() > 0, "the wide rows went to TOAST");
    }

    @Test
    void listsLargestFirstWithTotals(TestDatabase db) throws Exception {
        JsonNode root = json(db);
        long previous = Long.MAX_VALUE;
        long sum = 0;
        for (JsonNode t : root.get("tables")) {
            long total = t.get("total_bytes").asLong();
            assertTrue(total <= previous, "sorted largest first");
            previous = total;
            sum += total;
        }
        assertEquals(5, root.get("tables").size(), "partitions are not listed as tables of their own");
        assertEquals(sum, root.get("total").get("total_bytes").asLong());
        assertEquals("big", root.get("tables").get(0).get("table").asText());
    }

    @Test
    void countsPartitionsInTheirPartitionedTable(TestDatabase db) throws Exception {
        JsonNode events = find(json(db, "--partitions").get("tables"), "events");
        long expected = db.queryLong("SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('events')");
        assertEquals(expected, events.get("total_bytes").asLong());
        assertTrue(events.get("partitioned").asBoolean());
        assertEquals(2, events.get("partitions").size());
        assertEquals(5000, events.get("estimated_rows").asLong());
        long partitionSum = 0;
        for (JsonNode p : events.get("partitions")) {
            partitionSum += p.get("total_bytes").asLong();
        }
        assertEquals(expected, partitionSum + db.queryLong("SELECT pg_total_relation_size('events')"));
    }

    @Test
    void filtersBySchemaMinimumSizeAndLimit(TestDatabase db) throws Exception {
        JsonNode other = json(db, "--schema", "other").get("tables");
        assertEquals(1, other.size());
        assertEquals("Mixed Case", other.get(0).get("table").asText());

        long bigSize = db.queryLong("SELECT pg_total_relation_size('big')");
        JsonNode atLeast = json(db, "--min-size", bigSize + "B").get("tables");
        assertEquals(1, atLeast.size());
        assertEquals("big", atLeast.get(0).get("table").asText());

        JsonNode top2 = json(db, "--limit", "2").get("tables");
        assertEquals(2, top2.size());
    }

    @Test
    void printsPrettySizesLikeTheServer(TestDatabase db) {
        Cli.Result r = Cli.against(db, "sizes", "--partitions");
        assertEquals(0, r.exitCode(), r::toString);
        String pretty = db.queryValue("SELECT pg_size_pretty(pg_total_relation_size('big'))");
        String bigLine = r.out().lines().filter(l -> l.startsWith("public  big ")).findFirst().orElseThrow();
        assertTrue(bigLine.contains(pretty), bigLine + " should show " + pretty);
        assertTrue(r.out().contains("\"Mixed Case\""), r.out());
        assertTrue(r.out().contains("- events_2024"), "partitions listed under their table:\n" + r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("total (5 tables)")), r.out());
        assertTrue(r.err().isEmpty(), r.err());
    }

    @Test
    void prettyPrintingMatchesPgSizePrettyAcrossUnits(TestDatabase db) {
        long[] samples = {0, 1, 10239, 10240, 10752, 1048575, 10485760, 123456789, 1L << 33, 99L << 40, 5L << 50,
                -20000};
        for (long s : samples) {
            assertEquals(db.queryValue("SELECT pg_size_pretty(" + s + "::bigint)"), ByteSize.pretty(s), "size " + s);
        }
        for (String text : List.of("100MB", "1GB", "512kB", "10 bytes", "3TB")) {
            assertEquals(db.queryLong("SELECT pg_size_bytes('" + text + "')"), ByteSize.parse(text), text);
        }
    }

    @Test
    void rejectsABadSizeWithExitCode2(TestDatabase db) {
        Cli.Result r = Cli.against(db, "sizes", "--min-size", "12 parsecs");
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("pgsubset: error: invalid size unit"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }
}
