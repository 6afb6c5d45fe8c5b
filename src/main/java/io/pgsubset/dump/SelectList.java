package io.pgsubset.dump;

import io.pgsubset.catalog.Column;
import io.pgsubset.catalog.Table;
import io.pgsubset.error.UsageException;
import io.pgsubset.plan.Transform;
import io.pgsubset.sql.Ident;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The select list of a table's COPY query: every dumped column in table order, each either the
 * column itself, NULL (a reference into a skipped table), or a cleaning transform, always under
 * the column's own name so the CSV header matches the table.
 */
final class SelectList {
    private final Table table;
    private final String alias;
    private final Set<String> nulled;
    private final Map<String, Transform> transforms;

    SelectList(Table table, String alias, List<String> nulledColumns, Map<String, Transform> transforms) {
        this.table = table;
        this.alias = alias;
        this.nulled = Set.copyOf(nulledColumns);
        this.transforms = Map.copyOf(transforms);
        for (String column : transforms.keySet()) {
            if (table.column(column).filter(Column::dumped).isEmpty()) {
                throw new UsageException("transform of " + table.name().display() + "." + column
                        + ": no such column (or it is generated, and never dumped)");
            }
        }
    }

    /** The columns of the CSV, in order. */
    List<String> columns() {
        return table.dumpedColumnNames();
    }

    String sql() {
        List<String> items = new ArrayList<>();
        for (Column c : table.dumpedColumns()) {
            items.add(item(c));
        }
        return String.join(", ", items);
    }

    private String item(Column c) {
        String name = Ident.quote(c.name());
        if (nulled.contains(c.name())) {
            return "NULL::" + c.type() + " AS " + name;
        }
        Transform t = transforms.get(c.name());
        if (t == null) {
            return alias + "." + name;
        }
        return "(" + expression(c, t) + ")::" + c.type() + " AS " + name;
    }

    /** The SQL of a transform over the row (columns unqualified: the alias is the only FROM item). */
    private String expression(Column c, Transform t) {
        if (t instanceof Transform.Sql sql) {
            return sql.expression();
        }
        if (t instanceof Transform.Null) {
            return "NULL";
        }
        if (t instanceof Transform.Constant constant) {
            return Ident.literal(constant.value());
        }
        throw new UsageException("transform " + describe(t) + " of " + table.name().display() + "." + c.name()
                + " is not supported by this version of pgsubset; use an SQL expression, null or constant");
    }

    /** Column -> how it is cleaned, for the manifest (the expression for SQL, the kind otherwise). */
    Map<String, String> describeTransforms() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Column c : table.dumpedColumns()) {
            if (nulled.contains(c.name())) {
                out.put(c.name(), "null (references a skipped table)");
            } else if (transforms.containsKey(c.name())) {
                out.put(c.name(), describe(transforms.get(c.name())));
            }
        }
        return out;
    }

    static String describe(Transform t) {
        if (t instanceof Transform.Sql sql) {
            return "sql: " + sql.expression();
        }
        if (t instanceof Transform.Digits d) {
            return "digits: " + d.n();
        }
        if (t instanceof Transform.KeepLength) {
            return "keep_length";
        }
        return t.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }
}
