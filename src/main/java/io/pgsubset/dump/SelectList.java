package io.pgsubset.dump;

import io.pgsubset.catalog.Column;
import io.pgsubset.catalog.Table;
import io.pgsubset.error.UsageException;
import io.pgsubset.plan.Transform;
import io.pgsubset.sql.Ident;
import io.pgsubset.transform.ColumnTransform;
import io.pgsubset.transform.TransformKey;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The select list of a table's COPY query: every dumped column in table order, each either the
 * column itself, NULL (a reference into a skipped table), or a cleaning transform (rendered by
 * io.pgsubset.transform, computed by the server while it streams), always under the column's own
 * name so the CSV header matches the table.
 */
final class SelectList {
    private final Table table;
    private final String alias;
    private final Set<String> nulled;
    private final Map<String, ColumnTransform> transforms;
    private final TransformKey key;

    SelectList(Table table, String alias, List<String> nulledColumns, Map<String, Transform> transforms,
               TransformKey key) {
        this.table = table;
        this.alias = alias;
        this.nulled = Set.copyOf(nulledColumns);
        this.transforms = new LinkedHashMap<>();
        this.key = key;
        for (Map.Entry<String, Transform> e : transforms.entrySet()) {
            Column column = table.column(e.getKey()).filter(Column::dumped).orElseThrow(() -> new UsageException(
                    "transform of " + table.name().display() + "." + e.getKey()
                            + ": no such column (or it is generated, and never dumped)"));
            try {
                this.transforms.put(column.name(), ColumnTransform.of(column, e.getValue()));
            } catch (ColumnTransform.Refused r) {
                throw new UsageException("transform of " + table.name().display() + "." + r.getMessage() + " - "
                        + r.fix());
            }
        }
    }

    /** The columns of the CSV, in order. */
    List<String> columns() {
        return table.dumpedColumnNames();
    }

    /** Every column is copied as it is: none is nulled or transformed. */
    boolean columnsAsTheyAre() {
        return table.dumpedColumns().stream()
                .noneMatch(c -> nulled.contains(c.name()) || transforms.containsKey(c.name()));
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
        ColumnTransform t = transforms.get(c.name());
        if (t == null) {
            return alias + "." + name;
        }
        // the transform's SQL refers to columns unqualified: the alias is the only FROM item
        return t.sql(key, alias + "." + name) + " AS " + name;
    }

    /** Column -> how it is cleaned, for the manifest (the expression for SQL, the kind otherwise). */
    Map<String, String> describeTransforms() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Column c : table.dumpedColumns()) {
            if (nulled.contains(c.name())) {
                out.put(c.name(), "null (references a skipped table)");
            } else if (transforms.containsKey(c.name())) {
                out.put(c.name(), transforms.get(c.name()).description());
            }
        }
        return out;
    }
}
