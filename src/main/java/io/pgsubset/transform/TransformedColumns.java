package io.pgsubset.transform;

import io.pgsubset.catalog.Column;
import io.pgsubset.catalog.Table;
import io.pgsubset.error.UsageException;
import io.pgsubset.plan.Transform;
import io.pgsubset.sql.Ident;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The select list of a table's COPY query with its transforms in place:
 * {@code "id", CAST(... AS character varying(254)) AS "email", ...}. The server computes the
 * cleaned values while it streams the rows, so no personal value ever leaves it.
 */
public final class TransformedColumns {
    private TransformedColumns() {
    }

    /**
     * One item per dumped column, in table order (the CSV header order).
     *
     * @param alias the table's alias in the query, when the query uses one
     * @throws UsageException when a transform does not fit its column (plan check reports it first)
     */
    public static List<String> items(Table table, Map<String, Transform> transforms, TransformKey key,
                                     Optional<String> alias) {
        Map<String, ColumnTransform> planned = plan(table, transforms);
        List<String> out = new ArrayList<>();
        for (Column c : table.dumpedColumns()) {
            String ref = alias.map(a -> a + ".").orElse("") + Ident.quote(c.name());
            ColumnTransform t = planned.get(c.name());
            out.add(t == null ? ref : t.sql(key, ref) + " AS " + Ident.quote(c.name()));
        }
        return out;
    }

    /** The items joined with commas. */
    public static String sql(Table table, Map<String, Transform> transforms, TransformKey key, Optional<String> alias) {
        return String.join(", ", items(table, transforms, key, alias));
    }

    /** Column -> description ({@code email}, {@code sql: ...}) for the manifest and explain; no key. */
    public static Map<String, String> descriptions(Map<String, Transform> transforms) {
        Map<String, String> out = new LinkedHashMap<>();
        transforms.forEach((column, t) -> out.put(column, ColumnTransform.describe(t)));
        return out;
    }

    static Map<String, ColumnTransform> plan(Table table, Map<String, Transform> transforms) {
        Map<String, ColumnTransform> out = new LinkedHashMap<>();
        for (Map.Entry<String, Transform> e : transforms.entrySet()) {
            Column column = table.column(e.getKey()).orElseThrow(() -> new UsageException("transform of "
                    + table.name().display() + ": no column " + e.getKey() + "; fix the plan's transform: section"));
            try {
                out.put(column.name(), ColumnTransform.of(column, e.getValue()));
            } catch (ColumnTransform.Refused r) {
                throw new UsageException("transform of " + table.name().display() + "." + r.getMessage() + "; " + r.fix());
            }
        }
        return out;
    }
}
