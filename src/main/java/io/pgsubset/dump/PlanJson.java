package io.pgsubset.dump;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgsubset.catalog.ForeignKey;
import io.pgsubset.plan.Mode;
import io.pgsubset.plan.ResolvedPlan;
import io.pgsubset.plan.SampleRate;
import io.pgsubset.plan.TablePlan;

import java.util.Map;

/** The resolved plan as it goes into manifest.json: every table's mode with its settings and reason. */
final class PlanJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private PlanJson() {
    }

    static JsonNode of(ResolvedPlan plan) {
        ObjectNode root = F.objectNode();
        ArrayNode schemas = root.putArray("schemas");
        plan.schemas().forEach(schemas::add);
        root.put("on_skipped_parent", plan.onSkippedParent().name().toLowerCase(java.util.Locale.ROOT));
        if (plan.maxRows().isPresent()) {
            root.put("max_rows", plan.maxRows().getAsLong());
        } else {
            root.putNull("max_rows");
        }
        ArrayNode relations = root.putArray("relations");
        plan.relations().forEach(fk -> relations.add(foreignKey(fk)));
        ArrayNode tables = root.putArray("tables");
        for (TablePlan t : plan.tables()) {
            tables.add(table(t));
        }
        return root;
    }

    private static ObjectNode table(TablePlan t) {
        ObjectNode n = F.objectNode();
        n.put("schema", t.table().schema());
        n.put("name", t.table().name());
        n.put("mode", t.mode().keyword());
        mode(n, t.mode());
        n.put("reason", t.reason());
        ObjectNode transforms = n.putObject("transforms");
        for (Map.Entry<String, io.pgsubset.plan.Transform> e : t.transforms().entrySet()) {
            transforms.put(e.getKey(), SelectList.describe(e.getValue()));
        }
        return n;
    }

    private static void mode(ObjectNode n, Mode mode) {
        if (mode instanceof Mode.Sample s) {
            if (s.rate() instanceof SampleRate.Every every) {
                n.put("every", every.n());
            } else if (s.rate() instanceof SampleRate.Percent p) {
                n.put("percent", p.percent());
                n.put("seed", p.seed());
            }
            ArrayNode order = n.putArray("order_by");
            s.orderBy().forEach(order::add);
            s.limit().ifPresent(l -> n.put("limit", l));
            s.where().ifPresent(w -> n.put("where", w));
        } else if (mode instanceof Mode.Follow f) {
            ArrayNode via = n.putArray("via");
            f.via().forEach(fk -> via.add(fk.describe()));
            f.limit().ifPresent(l -> n.put("limit", l));
        }
    }

    private static ObjectNode foreignKey(ForeignKey fk) {
        ObjectNode n = F.objectNode();
        n.put("name", fk.name());
        n.put("child", fk.child().display());
        ArrayNode cc = n.putArray("child_columns");
        fk.childColumns().forEach(cc::add);
        n.put("parent", fk.parent().display());
        ArrayNode pc = n.putArray("parent_columns");
        fk.parentColumns().forEach(pc::add);
        return n;
    }
}
