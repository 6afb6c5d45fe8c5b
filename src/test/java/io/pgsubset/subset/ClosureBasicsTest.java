package io.pgsubset.subset;

import io.pgsubset.error.UsageException;
import io.pgsubset.plan.OnSkippedParent;
import io.pgsubset.plan.SampleRate;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-made fixtures with exact expected rows: chains, upward parents, samples, skipped parents. */
@PgTest
class ClosureBasicsTest {
    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE author (id int PRIMARY KEY, name text NOT NULL);
                CREATE TABLE doc (id int PRIMARY KEY, author_id int REFERENCES author, created date NOT NULL,
                                  kind text NOT NULL);
                CREATE TABLE idx (id int PRIMARY KEY, doc_id int NOT NULL REFERENCES doc);
                CREATE TABLE att (id int PRIMARY KEY, idx_id int NOT NULL REFERENCES idx);
                CREATE TABLE secret (id int PRIMARY KEY);
                CREATE TABLE note (id int PRIMARY KEY, doc_id int REFERENCES doc, secret_id int REFERENCES secret);
                INSERT INTO author SELECT g, 'a' || g FROM generate_series(1, 5) g;
                INSERT INTO doc SELECT g, 1 + g % 5, date '2024-01-01' + (g * 7) % 10, CASE WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END
                  FROM generate_series(1, 10) g;
                INSERT INTO idx SELECT g, (g + 1) / 2 FROM generate_series(1, 20) g;
                INSERT INTO att SELECT g, (g + 1) / 2 FROM generate_series(1, 40) g;
                INSERT INTO secret SELECT generate_series(1, 3);
                INSERT INTO note VALUES (1, 1, 1), (2, 6, NULL), (3, 2, 2), (4, NULL, 3);
                ANALYZE;
                """);
    }

    static TreeSet<String> ids(long... ids) {
        return LongStream.of(ids).mapToObj(Long::toString).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void followsChainsDownwardAndPullsParentsUpward(TestDatabase db) {
        Engine.Run run = Engine.run(db, c -> Plans.on(c).every("doc", 5).follow("idx").follow("att").follow("author")
                .skip("note").build());
        // every 5th doc: rows 5 and 10 of the id order
        assertEquals(ids(5, 10), run.rows("doc"));
        assertEquals(ids(9, 10, 19, 20), run.rows("idx"));
        assertEquals(ids(17, 18, 19, 20, 37, 38, 39, 40), run.rows("att"));
        // doc 5 -> author 1, doc 10 -> author 1: pulled upward only
        assertEquals(ids(1), run.rows("author"));
        TableSubset doc = run.subset().table(Plans.name("doc")).orElseThrow();
        assertEquals(2, doc.rows());
        assertInstanceOf(RowSelection.KeyedRows.class, doc.selection());
        assertInstanceOf(RowSelection.NoRows.class, run.subset().table(Plans.name("note")).orElseThrow().selection());
        EdgeStat attDown = run.subset().edges().stream()
                .filter(e -> e.foreignKey().child().name().equals("att") && e.direction() == EdgeStat.Direction.DOWN)
                .findFirst().orElseThrow();
        assertEquals(8, attDown.rowsAdded());
    }

    @Test
    void rowsAddedUpwardNeverPullTheirChildren(TestDatabase db) {
        // Sample idx 10 and 20 directly: their docs (5, 10) come upward, but the docs' other idx rows must not follow.
        Engine.Run run = Engine.run(db, c -> Plans.on(c).every("idx", 10).follow("doc").follow("att").follow("author")
                .skip("note").build());
        assertEquals(ids(10, 20), run.rows("idx"));
        assertEquals(ids(5, 10), run.rows("doc"));
        assertEquals(ids(19, 20, 39, 40), run.rows("att"));
    }

    @Test
    void samplesEveryNthRowInOrderWithWhereAndLimit(TestDatabase db) {
        // kind = 'even' docs ordered by created, ties by id: take rows 2, 4, 6 ... at most 2.
        Engine.Run run = Engine.run(db, c -> Plans.on(c)
                .sample("doc", new SampleRate.Every(2), List.of("created"), 2L, "kind = 'even'")
                .skip("note").skip("idx").skip("att").build());
        List<List<String>> ordered = db.query(
                "SELECT id FROM doc WHERE kind = 'even' ORDER BY created, id");
        TreeSet<String> expected = new TreeSet<>(List.of(ordered.get(1).get(0), ordered.get(3).get(0)));
        assertEquals(expected, run.rows("doc"));
    }

    @Test
    void percentSampleIsDeterministicAndSeeded(TestDatabase db) {
        Engine.Run a = Engine.run(db, c -> Plans.on(c).sample("att", new SampleRate.Percent(30, 7), List.of(), null, null)
                .skip("note").build());
        Engine.Run b = Engine.run(db, c -> Plans.on(c).sample("att", new SampleRate.Percent(30, 7), List.of(), null, null)
                .skip("note").build());
        Engine.Run other = Engine.run(db, c -> Plans.on(c).sample("att", new SampleRate.Percent(30, 8), List.of(), null, null)
                .skip("note").build());
        assertEquals(a.rows("att"), b.rows("att"));
        assertTrue(a.rows("att").size() > 3 && a.rows("att").size() < 25, a.rows("att")::toString);
        assertTrue(!a.rows("att").equals(other.rows("att")), "another seed selects other rows");
        // Exactly the rows whose md5(seed:id) falls below 30% of 2^32.
        TreeSet<String> expected = new TreeSet<>(db.query("""
                SELECT id FROM att WHERE ('x' || substr(md5('7:' || id::text), 1, 8))::bit(32)::int8
                      < ceil(0.30 * 4294967296)""").stream().map(r -> r.get(0)).toList());
        assertEquals(expected, a.rows("att"));
    }

    @Test
    void referenceIntoSkippedTableIsAnErrorNamingTableColumnAndCount(TestDatabase db) {
        UsageException e = assertThrows(UsageException.class, () -> Engine.run(db,
                c -> Plans.on(c).every("doc", 1).follow("note").skip("secret").build()));
        // notes 1 and 3 reference secrets (note 4 has no doc, so it is not pulled in)
        assertTrue(e.getMessage().contains("public.note column secret_id: 2 included rows reference skipped table "
                + "public.secret"), e.getMessage());
    }

    @Test
    void referenceIntoSkippedTableBecomesNullWhenAllowed(TestDatabase db) {
        Engine.Run run = Engine.run(db, c -> Plans.on(c).every("doc", 1).follow("note").skip("secret")
                .onSkippedParent(OnSkippedParent.NULL).build());
        TableSubset note = run.subset().table(Plans.name("note")).orElseThrow();
        assertEquals(List.of("secret_id"), note.nulledColumns());
        assertEquals(ids(1, 2, 3), run.rows("note"));
    }

    @Test
    void fullTableReferencingASampledTablePullsItsParents(TestDatabase db) {
        // note is full: every doc a note references must be there, though the sample takes only doc 10.
        Engine.Run run = Engine.run(db, c -> Plans.on(c).sample("doc", new SampleRate.Every(10), List.of(), null, null)
                .follow("idx").follow("att").build());
        assertEquals(ids(1, 2, 6, 10), run.rows("doc"));
        assertEquals(ids(19, 20), run.rows("idx"));
    }

    @Test
    void explosionGuardNamesTheEdgesThatAddedMostRows(TestDatabase db) {
        UsageException e = assertThrows(UsageException.class, () -> Engine.run(db,
                c -> Plans.on(c).every("doc", 1).follow("idx").follow("att").skip("note").maxRows(30).build()));
        assertTrue(e.getMessage().contains("max_rows (30)"), e.getMessage());
        assertTrue(e.getMessage().contains("down public.att(idx_id) -> public.idx(id)")
                || e.getMessage().contains("down public.idx(doc_id) -> public.doc(id)"), e.getMessage());
        Engine.Run fine = Engine.run(db,
                c -> Plans.on(c).every("doc", 1).follow("idx").follow("att").skip("note").build(),
                Closure.Options.defaults().withMaxRows(70));
        assertEquals(70, fine.rows("doc").size() + fine.rows("idx").size() + fine.rows("att").size());
    }

    @Test
    void smallChunksSelectTheSameRows(TestDatabase db) {
        Engine.Run big = Engine.run(db, c -> Plans.on(c).every("doc", 3).follow("idx").follow("att").skip("note").build());
        Engine.Run small = Engine.run(db, c -> Plans.on(c).every("doc", 3).follow("idx").follow("att").skip("note").build(),
                Closure.Options.defaults().withMaxKeysPerStatement(2));
        assertEquals(big.rows(), small.rows());
        assertEquals(Arrays.asList(3L, 6L, 12L), List.of((long) big.rows("doc").size(), (long) big.rows("idx").size(),
                (long) big.rows("att").size()));
    }
}
