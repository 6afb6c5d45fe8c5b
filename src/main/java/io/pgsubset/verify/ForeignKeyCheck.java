package io.pgsubset.verify;

import io.pgsubset.sql.Ident;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** One declared foreign key of the target and the anti-join that counts the rows violating it. */
record ForeignKeyCheck(String name, String schema, String table, boolean childPlain, String parentSchema,
                       String parentTable, boolean parentPlain, boolean validated, boolean matchFull,
                       List<String> columns, List<String> parentColumns, boolean period) {
    ForeignKeyCheck {
        columns = List.copyOf(columns);
        parentColumns = List.copyOf(parentColumns);
    }

    String display() {
        return schema + "." + table + " " + name;
    }

    /**
     * Rows whose key has no parent. A temporal key ({@code PERIOD}, the last column) has one when
     * the parent rows of equal leading columns together cover its period. MATCH SIMPLE (the default) exempts a key with any NULL column;
     * MATCH FULL exempts only an all-NULL key and fails a partly NULL one. A partitioned table is read
     * with its partitions, a plain one without its inheritance children (constraints do not inherit).
     */
    String violationsSql() {
        List<String> join = new ArrayList<>();
        int equal = period ? columns.size() - 1 : columns.size();
        for (int i = 0; i < equal; i++) {
            join.add("p." + Ident.quote(parentColumns.get(i)) + " = c." + Ident.quote(columns.get(i)));
        }
        String allSet = columns.stream().map(col -> "c." + Ident.quote(col) + " IS NOT NULL")
                .collect(Collectors.joining(" AND "));
        String anySet = columns.stream().map(col -> "c." + Ident.quote(col) + " IS NOT NULL")
                .collect(Collectors.joining(" OR "));
        String parents = relation(parentSchema, parentTable, parentPlain) + " p WHERE " + String.join(" AND ", join);
        String orphan = period
                ? "NOT coalesce(c." + Ident.quote(columns.get(equal)) + " OPERATOR(pg_catalog.<@) (SELECT pg_catalog.range_agg(p."
                        + Ident.quote(parentColumns.get(equal)) + ") FROM " + parents + "), false)"
                : "NOT EXISTS (SELECT FROM " + parents + ")";
        String where = matchFull ? "(" + anySet + ") AND (NOT (" + allSet + ") OR " + orphan + ")"
                : allSet + " AND " + orphan;
        return "SELECT count(*) FROM " + relation(schema, table, childPlain) + " c WHERE " + where;
    }

    private static String relation(String schema, String table, boolean plainTable) {
        return (plainTable ? "ONLY " : "") + Ident.quote(schema, table);
    }
}
