package io.pgsubset.dump;

import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The full tables the closure cannot change copy while it runs (issue 24): on a worker connection
 * of the snapshot, with the leader's busy computing the subset. A full table whose references the
 * closure must look at (into a skipped table: its column may be written as NULL) waits for it. A
 * failure on either side ends the other at once, with the failure that came first.
 */
@PgTest
class FullTablesFirstTest {
    @TempDir
    static Path tmp;

    /** The sample's where: sleeps once per sampled row, so the closure takes a known while. */
    private static final String SLOW_SAMPLE = "pg_catalog.pg_sleep(%s) IS NOT NULL";

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE "Big Full" (id int PRIMARY KEY, pad text);
                INSERT INTO "Big Full" SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g;
                CREATE TABLE secret (id int PRIMARY KEY);
                INSERT INTO secret VALUES (1), (2);
                CREATE TABLE audit (id int PRIMARY KEY, secret_id int REFERENCES secret, note text);
                INSERT INTO audit VALUES (1, 1, 'a'), (2, NULL, 'b'), (3, 2, 'c');
                CREATE TABLE orders (id int PRIMARY KEY);
                INSERT INTO orders VALUES (1);
                CREATE TABLE item (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders);
                INSERT INTO item VALUES (1, 1), (2, 1);
                ANALYZE;
                """);
    }

    private static Path plan(String name, String sampleWhere, String more) throws Exception {
        Path file = tmp.resolve(name + ".yaml");
        Files.writeString(file, """
                version: 1
                unlisted: full
                skip: [secret]
                on_skipped_parent: null
                sample:
                  orders: {every: 1, where: "%s"}
                follow:
                  item: {}
                """.formatted(sampleWhere.replace("\"", "\\\"")) + more);
        return file;
    }

    @Test
    void aFullTableCopiesWhileTheClosureRunsAndOneWithSkippedReferencesWaitsForIt(TestDatabase db) throws Exception {
        Path out = tmp.resolve("early");
        Cli.Result r = Cli.against(db, "dump", "-o", out.toString(), "--verbose",
                "--plan", plan("early", SLOW_SAMPLE.formatted("1.5"), "").toString());
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.err().lines().toList();
        int closure = indexOf(lines, "pgsubset: phase closure:");
        int big = indexOf(lines, "public.\"Big Full\": 20000 rows");
        int audit = indexOf(lines, "public.audit: 3 rows");
        assertTrue(lines.contains("pgsubset: copying 1 full table while the subset is computed"), r::toString);
        assertTrue(big >= 0 && big < closure, () -> "the full table was written before the closure ended:\n" + r.err());
        assertTrue(audit > closure, () -> "the table with references into a skipped table waited:\n" + r.err());
        // the skipped parent's references are written as NULL: what only the closure could tell
        assertEquals(List.of("id,secret_id,note", "1,,a", "2,,b", "3,,c"),
                Files.readAllLines(out.resolve("data/public.audit.csv")));
        assertEquals(20001, Files.readAllLines(out.resolve("data/public.Big Full.csv")).size(),
                "every row of the full table and its header");
        assertEquals(List.of("id,order_id", "1,1", "2,1"), Files.readAllLines(out.resolve("data/public.item.csv")));
    }

    @Test
    void aCopyThatFailsDuringTheClosureEndsItWithTheCopysError(TestDatabase db) throws Exception {
        Path out = tmp.resolve("copy-fails");
        Path planFile = plan("copy-fails", SLOW_SAMPLE.formatted("30"), """
                transform:
                  "Big Full":
                    pad: "CASE WHEN id = 15000 THEN (1 / (id - 15000))::text ELSE pad END"
                """);
        long started = System.nanoTime();
        Cli.Result r = Cli.against(db, "dump", "-o", out.toString(), "--plan", planFile.toString());
        double seconds = (System.nanoTime() - started) / 1e9;
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("division by zero"), r::toString);
        assertFalse(r.err().contains("canceling statement"), () -> "the closure's cancel is not the error:\n" + r);
        assertTrue(seconds < 25, () -> "the closure's 30 s query was cancelled, the dump took " + seconds + " s");
        assertFalse(Files.exists(out));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgsubset'"
                + " AND pid <> pg_backend_pid()"), "no session of the dump is left");
    }

    @Test
    void aClosureThatFailsEndsTheCopiesUnderWay(TestDatabase db) throws Exception {
        Path out = tmp.resolve("closure-fails");
        // the full table copies at 100 kB/s (about 20 s) while the closure exceeds max_rows at once
        long started = System.nanoTime();
        Cli.Result r = Cli.against(db, "dump", "-o", out.toString(), "--max-rows", "1", "--max-rate", "100k",
                "--plan", plan("closure-fails", "true", "").toString());
        double seconds = (System.nanoTime() - started) / 1e9;
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("max_rows"), r::toString);
        assertTrue(seconds < 12, () -> "the copy under way was cancelled, the dump took " + seconds + " s");
        assertFalse(Files.exists(out));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgsubset'"
                + " AND pid <> pg_backend_pid()"), "no session of the dump is left");
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }
}
