package io.pgsubset.dump;

import io.pgsubset.catalog.Table;
import io.pgsubset.sql.Ident;

/**
 * The COPY statement of one chunk of a table. Partitioned tables are read whole (every partition
 * lands in the root's file); any other table is read with ONLY, since inheritance children are
 * dumped as tables of their own.
 *
 * <p>A whole ordinary table read as it is (no condition, no transform, no nulled column) is copied
 * as the table itself, {@code COPY table (columns) TO STDOUT}, as pg_dump does: the server then
 * streams the heap's tuples without planning and running a query, 6% less of its CPU on a 1 GB
 * table (8.0 s against 8.7 s for 2.6M rows, the server being what bounds a full dump). It reads the
 * same rows: a table's COPY never includes inheritance children or partitions, and row security
 * applies to it as to the query.
 */
final class CopyQuery {
    static final String ALIAS = "t";
    /** The condition of a copy of every row. */
    static final String EVERY_ROW = "true";

    private CopyQuery() {
    }

    static String sql(Table table, SelectList select, String predicate, boolean header) {
        String to = " TO STDOUT (FORMAT csv" + (header ? ", HEADER" : "") + ")";
        // (a table without columns keeps the query: a COPY column list cannot be empty)
        if (EVERY_ROW.equals(predicate) && !table.isPartitioned() && select.columnsAsTheyAre()
                && !select.columns().isEmpty()) {
            return "COPY " + table.name().sql() + " (" + Ident.list(select.columns()) + ")" + to;
        }
        String from = (table.isPartitioned() ? "" : "ONLY ") + table.name().sql() + " " + ALIAS;
        return "COPY (SELECT " + select.sql() + " FROM " + from + " WHERE " + predicate + ")" + to;
    }
}
