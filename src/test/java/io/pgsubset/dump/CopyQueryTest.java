package io.pgsubset.dump;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.catalog.Table;
import io.pgsubset.sql.Ident;
import io.pgsubset.subset.RowSelection;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import io.pgsubset.transform.TransformKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole ordinary table copied as it is becomes {@code COPY table (columns) TO STDOUT}, and that
 * statement gives exactly the bytes of the query it replaces: no rows of inheritance children, no
 * generated column. Anything else (a partitioned table, a condition, a nulled column, a table
 * without columns) keeps the query.
 */
@PgTest
class CopyQueryTest {
    @BeforeAll
    static void tables(TestDatabase db) {
        List.of("CREATE TABLE parent (id int PRIMARY KEY, \"Odd \"\"name\"\"\" text, at timestamptz)",
                "CREATE TABLE kid (extra int) INHERITS (parent)",
                "INSERT INTO parent VALUES (1, 'a,b', '2024-01-01 10:00+00'), (2, E'x\\ny', NULL), (3, '\"q\"', now())",
                "INSERT INTO kid VALUES (4, 'child row', now(), 7)",
                "CREATE TABLE gen (a int, b int GENERATED ALWAYS AS (a * 2) STORED)",
                "INSERT INTO gen (a) SELECT g FROM generate_series(1, 5) g",
                "CREATE TABLE nocols ()",
                "INSERT INTO nocols DEFAULT VALUES",
                "CREATE TABLE pt (id int) PARTITION BY RANGE (id)",
                "CREATE TABLE pt_1 PARTITION OF pt FOR VALUES FROM (0) TO (100)",
                "INSERT INTO pt VALUES (1), (2)").forEach(db::execute);
    }

    private static Table table(Connection conn, String name) {
        Catalog catalog = CatalogReader.read(conn, List.of("public"));
        return catalog.tables().stream().filter(t -> t.name().name().equals(name)).findFirst().orElseThrow();
    }

    private static SelectList plain(Table t) {
        return new SelectList(t, CopyQuery.ALIAS, List.of(), Map.of(), TransformKey.random());
    }

    /** The statement the table form replaces: the query over the same columns. */
    private static String asQuery(Table t) {
        String from = (t.isPartitioned() ? "" : "ONLY ") + t.name().sql() + " t";
        return "COPY (SELECT " + Ident.list("t", t.dumpedColumnNames()) + " FROM " + from
                + " WHERE true) TO STDOUT (FORMAT csv, HEADER)";
    }

    private static String copy(Connection conn, String sql) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        conn.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aWholeOrdinaryTableIsCopiedAsTheTableWithTheQuerysBytes(TestDatabase db) throws Exception {
        try (Connection conn = db.connect()) {
            for (String name : List.of("parent", "gen")) {
                Table t = table(conn, name);
                String sql = CopyQuery.sql(t, plain(t), CopyQuery.EVERY_ROW, true);
                assertTrue(sql.startsWith("COPY " + t.name().sql() + " ("), sql);
                assertEquals(copy(conn, asQuery(t)), copy(conn, sql), name);
            }
            Table parent = table(conn, "parent");
            String rows = copy(conn, CopyQuery.sql(parent, plain(parent), CopyQuery.EVERY_ROW, true));
            assertEquals(4, rows.split("\n(?=[0-9])").length, "the header and the parent's own 3 rows: " + rows);
            assertFalse(rows.contains("child row"), "no row of the inheritance child");
            Table gen = table(conn, "gen");
            assertEquals("a\n1\n2\n3\n4\n5\n", copy(conn, CopyQuery.sql(gen, plain(gen), CopyQuery.EVERY_ROW, true)));
        }
    }

    /** The copy's condition for a table taken whole is the one that selects the table form. */
    @Test
    void aTableTakenWholeByThePlanGetsTheTableForm(TestDatabase db) throws Exception {
        try (Connection conn = db.connect()) {
            Table parent = table(conn, "parent");
            List<String> whole = TableCopier.predicates(new RowSelection.AllRows(Optional.empty()));
            assertEquals(1, whole.size());
            String sql = CopyQuery.sql(parent, plain(parent), whole.get(0), true);
            assertTrue(sql.startsWith("COPY \"public\".\"parent\" ("), sql);
            List<String> filtered = TableCopier.predicates(new RowSelection.AllRows(Optional.of("id > 1")));
            assertTrue(CopyQuery.sql(parent, plain(parent), filtered.get(0), true).startsWith("COPY (SELECT "));
        }
    }

    @Test
    void anythingButAWholeTableAsItIsKeepsTheQuery(TestDatabase db) throws Exception {
        try (Connection conn = db.connect()) {
            Table parent = table(conn, "parent");
            assertTrue(CopyQuery.sql(parent, plain(parent), "t.id > 1", true).startsWith("COPY (SELECT "));
            SelectList nulled = new SelectList(parent, CopyQuery.ALIAS, List.of("at"), Map.of(), TransformKey.random());
            String sql = CopyQuery.sql(parent, nulled, CopyQuery.EVERY_ROW, true);
            assertTrue(sql.startsWith("COPY (SELECT "), sql);
            assertTrue(copy(conn, sql).endsWith("3,\"\"\"q\"\"\",\n"), "the nulled column is empty");

            Table pt = table(conn, "pt");
            sql = CopyQuery.sql(pt, plain(pt), CopyQuery.EVERY_ROW, true);
            assertTrue(sql.startsWith("COPY (SELECT "), sql);
            assertEquals("id\n1\n2\n", copy(conn, sql), "a partitioned table's rows come from its partitions");

            Table nocols = table(conn, "nocols");
            sql = CopyQuery.sql(nocols, plain(nocols), CopyQuery.EVERY_ROW, false);
            assertTrue(sql.startsWith("COPY (SELECT "), sql);
            assertEquals("\n", copy(conn, sql), "one row without columns");
        }
    }
}
