package io.pgsubset.plan;

import io.pgsubset.catalog.ForeignKey;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The resolved plan as plain maps and lists (snake_case keys), for --format json and the manifest. */
public final class PlanJson {
    private PlanJson() {
    }

    public static Map<String, Object> of(ResolvedPlan plan) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemas", plan.schemas());
        m.put("on_skipped_parent", plan.onSkippedParent().name().toLowerCase(java.util.Locale.ROOT));
        m.put("max_rows", plan.maxRows().isPresent() ? plan.maxRows().getAsLong() : null);
        m.put("tables", plan.tables().stream().map(PlanJson::table).toList());
        m.put("relations", plan.relations().stream().map(PlanJson::foreignKey).toList());
        return m;
    }

    public static Map<String, Object> table(TablePlan t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", t.table().schema());
        m.put("table", t.table().name());
        m.putAll(mode(t.mode()));
        m.put("reason", t.reason());
        Map<String, Object> transforms = new LinkedHashMap<>();
        t.transforms().forEach((column, tr) -> transforms.put(column, transform(tr)));
        m.put("transforms", transforms);
        return m;
    }

    public static Map<String, Object> mode(Mode mode) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode.keyword());
        if (mode instanceof Mode.Sample s) {
            if (s.rate() instanceof SampleRate.Every e) {
                m.put("every", e.n());
            } else if (s.rate() instanceof SampleRate.Percent p) {
                m.put("percent", p.percent());
                m.put("seed", p.seed());
            }
            m.put("order_by", s.orderBy());
            m.put("limit", s.limit().isPresent() ? s.limit().getAsLong() : null);
            m.put("where", s.where().orElse(null));
        } else if (mode instanceof Mode.Follow f) {
            m.put("via", f.via().stream().map(ForeignKey::name).toList());
            m.put("limit", f.limit().isPresent() ? f.limit().getAsLong() : null);
        }
        return m;
    }

    /** A built-in by name ({@code "email"}, {@code {"digits": 8}}), SQL as {@code {"sql": "..."}}. */
    public static Object transform(Transform t) {
        return t.argument().<Object>map(a -> Map.of(t.keyword(), a)).orElse(t.keyword());
    }


    public static Map<String, Object> foreignKey(ForeignKey fk) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", fk.name());
        m.put("child", fk.child().display());
        m.put("child_columns", fk.childColumns());
        m.put("parent", fk.parent().display());
        m.put("parent_columns", fk.parentColumns());
        m.put("declared", fk.declared());
        return m;
    }

    static List<Object> list(List<?> values) {
        return List.copyOf(values);
    }
}
