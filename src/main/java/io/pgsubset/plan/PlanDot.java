package io.pgsubset.plan;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.ForeignKey;
import io.pgsubset.sizes.ByteSize;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan as a Graphviz graph: one node per table coloured by mode with its size, one edge per
 * foreign key (child to parent); the edges the closure follows are bold, references into skipped
 * tables red, the plan's declared relations dashed.
 */
public final class PlanDot {
    private static final Map<String, String> COLOURS = Map.of("sample", "#f4a261", "follow", "#8ecae6",
            "full", "#b7e4a7", "skip", "#d9d9d9");

    private PlanDot() {
    }

    public static String render(Catalog catalog, ResolvedPlan plan) {
        PlanGraph graph = PlanGraph.of(catalog, plan);
        Map<ForeignKey, List<PlanGraph.Direction>> used = new HashMap<>();
        for (PlanGraph.Edge e : graph.closureEdges(plan)) {
            used.computeIfAbsent(e.foreignKey(), k -> new java.util.ArrayList<>()).add(e.direction());
        }
        StringBuilder dot = new StringBuilder();
        dot.append("digraph pgsubset_plan {\n")
                .append("  graph [rankdir=LR, fontname=\"Helvetica\", label=\"pgsubset plan: colour = mode "
                        + "(sample orange, follow blue, full green, skip grey); bold = followed by the closure; "
                        + "red = references a skipped table; dashed = plan relation\", labelloc=t];\n")
                .append("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n")
                .append("  edge [fontname=\"Helvetica\", fontsize=10];\n");
        for (TablePlan t : plan.tables()) {
            String size = ByteSize.pretty(catalog.treeSize(t.table()).total());
            String label = t.table().display() + "\n" + t.mode().keyword() + detail(t.mode()) + "\n" + size;
            dot.append("  ").append(quote(t.table().display())).append(" [label=").append(quote(label))
                    .append(", fillcolor=").append(quote(COLOURS.get(t.mode().keyword()))).append("];\n");
        }
        Map<io.pgsubset.catalog.QualifiedName, TablePlan> covered = plan.byTable();
        for (ForeignKey fk : graph.edges()) {
            if (!covered.containsKey(fk.child()) || !covered.containsKey(fk.parent())) {
                continue;
            }
            List<PlanGraph.Direction> dirs = used.getOrDefault(fk, List.of());
            StringBuilder attrs = new StringBuilder("label=")
                    .append(quote(String.join(", ", fk.childColumns()) + (dirs.isEmpty() ? ""
                            : " (" + String.join(", ", dirs.stream().map(d -> d.name().toLowerCase(
                            java.util.Locale.ROOT).replace('_', ' ')).toList()) + ")")));
            if (dirs.contains(PlanGraph.Direction.TO_SKIPPED)) {
                attrs.append(", color=\"#c0392b\"");
            } else if (!dirs.isEmpty()) {
                attrs.append(", style=bold, penwidth=2.5");
            } else {
                attrs.append(", color=\"#888888\"");
            }
            if (!fk.declared()) {
                attrs.append(dirs.isEmpty() || dirs.contains(PlanGraph.Direction.TO_SKIPPED) ? ", style=dashed"
                        : ", style=\"bold,dashed\"");
            }
            dot.append("  ").append(quote(fk.child().display())).append(" -> ").append(quote(fk.parent().display()))
                    .append(" [").append(attrs).append("];\n");
        }
        return dot.append("}\n").toString();
    }

    private static String detail(Mode m) {
        if (m instanceof Mode.Sample s) {
            String rate = s.rate() instanceof SampleRate.Every e ? " every " + e.n()
                    : " " + ((SampleRate.Percent) s.rate()).percent() + "%";
            return rate + (s.limit().isPresent() ? ", limit " + s.limit().getAsLong() : "");
        }
        if (m instanceof Mode.Follow f && f.limit().isPresent()) {
            return ", limit " + f.limit().getAsLong();
        }
        return "";
    }

    /** A DOT double-quoted string; newlines become line breaks. */
    static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
