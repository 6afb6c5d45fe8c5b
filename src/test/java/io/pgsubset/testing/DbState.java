package io.pgsubset.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a database holds, for tests that compare two databases or one database before and after:
 * its objects (relations, functions, types, schemas) and the content of every user table (row
 * count and an order-independent digest of the rows' text). Equal states mean nothing was created,
 * dropped, inserted, updated or deleted.
 */
public record DbState(List<String> objects, Map<String, String> tables) {
    private static final String OBJECTS = """
            SELECT 'relation ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            UNION ALL
            SELECT 'function ' || n.nspname || '.' || p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')'
              FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
            UNION ALL
            SELECT 'type ' || n.nspname || '.' || t.typname
              FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            UNION ALL
            SELECT 'schema ' || nspname FROM pg_catalog.pg_namespace
             WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg_%'
            ORDER BY 1
            """;

    private static final String TABLES = """
            SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg_toast%'
             ORDER BY 1
            """;

    public static DbState of(TestDatabase db) {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            List<String> objects = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(OBJECTS)) {
                while (rs.next()) {
                    objects.add(rs.getString(1));
                }
            }
            List<String> names = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(TABLES)) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            Map<String, String> tables = new TreeMap<>();
            for (String table : names) {
                tables.put(table, content(st, table));
            }
            return new DbState(objects, tables);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the state of " + db.name() + ": " + e.getMessage(), e);
        }
    }

    /** Row count and digest of one table (a quoted, qualified name), including partitions' rows. */
    public static String content(Statement st, String quotedTable) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) || ' rows, ' || coalesce(pg_catalog.md5("
                + "pg_catalog.string_agg(pg_catalog.md5(t::text), '' ORDER BY pg_catalog.md5(t::text))), '-') FROM "
                + quotedTable + " t")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Every row of a table as its text form, sorted: for comparing a restored table with its source. */
    public static List<String> rows(TestDatabase db, String quotedTable) {
        return db.query("SELECT t::text FROM " + quotedTable + " t ORDER BY 1").stream().map(r -> r.get(0)).toList();
    }
}
