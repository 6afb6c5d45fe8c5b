package io.pgsubset.dump;

import io.pgsubset.catalog.Table;

/**
 * The COPY statement of one chunk of a table. Partitioned tables are read whole (every partition
 * lands in the root's file); any other table is read with ONLY, since inheritance children are
 * dumped as tables of their own.
 */
final class CopyQuery {
    static final String ALIAS = "t";

    private CopyQuery() {
    }

    static String sql(Table table, SelectList select, String predicate, boolean header) {
        String from = (table.isPartitioned() ? "" : "ONLY ") + table.name().sql() + " " + ALIAS;
        return "COPY (SELECT " + select.sql() + " FROM " + from + " WHERE " + predicate + ") TO STDOUT (FORMAT csv"
                + (header ? ", HEADER" : "") + ")";
    }
}
