package io.pgsubset.subset;

import io.pgsubset.plan.SampleRate;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code every: N} takes exactly the rows of the administrator's {@code row_number() % N = 0} query:
 * rows N, 2N, 3N ... of the ordering, ties broken by the primary key. Each case compares the engine's
 * roots with that query written out here, on keys with gaps (so row numbers and ids differ).
 */
@PgTest
class EverySampleTest {
    @BeforeAll
    static void schema(TestDatabase db) {
        // ids 3, 10, 17, ... (gaps of 7, minus every 11th): row number and id never agree.
        // grp has many ties: 1300 rows in 13 groups.
        db.execute("""
                CREATE TABLE reading (id int PRIMARY KEY, grp int NOT NULL, kind text NOT NULL);
                INSERT INTO reading
                  SELECT 3 + 7 * g, (g * 37) % 13, CASE WHEN g % 3 = 0 THEN 'a' ELSE 'b' END
                    FROM generate_series(1, 1430) g WHERE g % 11 <> 0;
                ANALYZE;
                """);
    }

    /** The hand-written procedure: the ids of rows N, 2N, ... of the ordering, ties by id. */
    private static TreeSet<String> byHand(TestDatabase db, long n, String orderBy, String where, Long limit) {
        List<List<String>> rows = db.query("SELECT id FROM (SELECT id, row_number() OVER (ORDER BY " + orderBy
                + ") AS rn FROM reading" + (where == null ? "" : " WHERE " + where) + ") s WHERE rn % " + n
                + " = 0 ORDER BY rn" + (limit == null ? "" : " LIMIT " + limit));
        TreeSet<String> out = new TreeSet<>();
        rows.forEach(r -> out.add(r.get(0)));
        return out;
    }

    private static TreeSet<String> engine(TestDatabase db, long n, List<String> orderBy, String where, Long limit) {
        return Engine.run(db, c -> Plans.on(c).sample("reading", new SampleRate.Every(n), orderBy, limit, where)
                .build()).rows("reading");
    }

    @Test
    void everyNTakesRowsNTwoNThreeNOfTheKeyOrder(TestDatabase db) {
        for (long n : new long[] {1, 2, 7, 500}) {
            TreeSet<String> expected = byHand(db, n, "id", null, null);
            assertEquals(1300 / n, expected.size(), "the reference query's own count for N = " + n);
            assertEquals(expected, engine(db, n, List.of(), null, null), "every: " + n);
        }
        // the 7th row's id is 3 + 7 * 7 = 52: g = 1..7, none a multiple of 11
        assertTrue(engine(db, 7, List.of(), null, null).contains("52"));
        assertTrue(!engine(db, 7, List.of(), null, null).contains("10"), "row 1 is not taken");
    }

    @Test
    void everyNCountsRowsAfterWhereAndStopsAtLimit(TestDatabase db) {
        for (long n : new long[] {1, 2, 7, 500}) {
            assertEquals(byHand(db, n, "id", "kind = 'a'", null), engine(db, n, List.of(), "kind = 'a'", null),
                    "every: " + n + " with where:");
            assertEquals(byHand(db, n, "id", null, 5L), engine(db, n, List.of(), null, 5L),
                    "every: " + n + " with limit: 5");
        }
        assertEquals(5, engine(db, 7, List.of(), "kind = 'a'", 5L).size());
        assertEquals(byHand(db, 7, "id", "kind = 'a'", 5L), engine(db, 7, List.of(), "kind = 'a'", 5L));
    }

    @Test
    void orderByWithTiesBreaksThemByThePrimaryKey(TestDatabase db) {
        for (long n : new long[] {1, 2, 7, 500}) {
            assertEquals(byHand(db, n, "grp, id", null, null), engine(db, n, List.of("grp"), null, null),
                    "every: " + n + " order_by grp");
        }
        assertEquals(byHand(db, 7, "grp, id", "kind = 'b'", 20L), engine(db, 7, List.of("grp"), "kind = 'b'", 20L));
    }

    @Test
    void fewerRowsThanNGiveNoRoots(TestDatabase db) {
        Engine.Run run = Engine.run(db, c -> Plans.on(c).sample("reading", new SampleRate.Every(500), List.of(), null,
                "id < 3000").build());
        assertEquals(new TreeSet<>(), run.rows("reading"));
        assertEquals(0, run.subset().table(Plans.name("reading")).orElseThrow().roots());
        Engine.Run exactlyN = Engine.run(db, c -> Plans.on(c).sample("reading", new SampleRate.Every(1300), List.of(),
                null, null).build());
        assertEquals(byHand(db, 1300, "id", null, null), exactlyN.rows("reading"));
        assertEquals(1, exactlyN.rows("reading").size());
    }
}
