package io.pgsubset.plan;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.ForeignKey;
import io.pgsubset.catalog.QualifiedName;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The foreign keys a plan works with: the catalog's and the plan's declared relations, seen
 * between the tables a plan covers (a key on a partition counts as one of its partitioned table;
 * the clones PostgreSQL makes on every partition collapse into one edge).
 */
public final class PlanGraph {
    private final List<ForeignKey> edges = new ArrayList<>();
    private final Map<QualifiedName, List<ForeignKey>> from = new LinkedHashMap<>();
    private final Map<QualifiedName, List<ForeignKey>> to = new LinkedHashMap<>();

    /** Which way the closure uses an edge. */
    public enum Direction {
        /** Children of selected parent rows are pulled in (the child follows). */
        DOWN,
        /** Parent rows that included child rows reference are added. */
        UP,
        /** The parent is skipped: referencing rows are an error, or NULLed with on_skipped_parent: null. */
        TO_SKIPPED
    }

    /** One edge of the closure with its direction. */
    public record Edge(ForeignKey foreignKey, Direction direction) {
    }

    public PlanGraph(Catalog catalog, List<ForeignKey> relations) {
        List<ForeignKey> all = new ArrayList<>(catalog.foreignKeys());
        all.addAll(relations);
        for (ForeignKey fk : all) {
            QualifiedName child = catalog.partitionRoot(fk.child());
            QualifiedName parent = catalog.partitionRoot(fk.parent());
            ForeignKey edge = child.equals(fk.child()) && parent.equals(fk.parent()) ? fk
                    : new ForeignKey(fk.name(), child, fk.childColumns(), parent, fk.parentColumns(), fk.deferrable(),
                    fk.validated(), fk.declared(), fk.period());
            boolean duplicate = edges.stream().anyMatch(e -> e.child().equals(edge.child())
                    && e.childColumns().equals(edge.childColumns()) && e.parent().equals(edge.parent())
                    && e.parentColumns().equals(edge.parentColumns()) && e.declared() == edge.declared());
            if (!duplicate) {
                edges.add(edge);
                from.computeIfAbsent(child, k -> new ArrayList<>()).add(edge);
                to.computeIfAbsent(parent, k -> new ArrayList<>()).add(edge);
            }
        }
    }

    /** The graph of a resolved plan: the catalog's keys and the plan's relations. */
    public static PlanGraph of(Catalog catalog, ResolvedPlan plan) {
        return new PlanGraph(catalog, plan.relations());
    }

    public List<ForeignKey> edges() {
        return List.copyOf(edges);
    }

    public List<ForeignKey> from(QualifiedName child) {
        return from.getOrDefault(child, List.of());
    }

    public List<ForeignKey> to(QualifiedName parent) {
        return to.getOrDefault(parent, List.of());
    }

    /**
     * The edges the closure uses for this plan (SPEC "Subset semantics"): DOWN into a follow table
     * through its {@code via} keys (default: its keys to sample or follow tables); UP from every
     * included table to a sample or follow parent; TO_SKIPPED from an included table to a skipped one.
     * An edge can be both DOWN and UP (then it is listed twice).
     */
    public List<Edge> closureEdges(ResolvedPlan plan) {
        Map<QualifiedName, TablePlan> byTable = plan.byTable();
        List<Edge> out = new ArrayList<>();
        for (ForeignKey fk : edges) {
            TablePlan child = byTable.get(fk.child());
            TablePlan parent = byTable.get(fk.parent());
            if (child == null || parent == null || child.mode() instanceof Mode.Skip) {
                continue;
            }
            boolean restrictedParent = parent.mode() instanceof Mode.Sample || parent.mode() instanceof Mode.Follow;
            if (child.mode() instanceof Mode.Follow f && isVia(f, fk, restrictedParent)) {
                out.add(new Edge(fk, Direction.DOWN));
            }
            if (restrictedParent) {
                out.add(new Edge(fk, Direction.UP));
            } else if (parent.mode() instanceof Mode.Skip) {
                out.add(new Edge(fk, Direction.TO_SKIPPED));
            }
        }
        return out;
    }

    private static boolean isVia(Mode.Follow f, ForeignKey fk, boolean restrictedParent) {
        if (f.via().isEmpty()) {
            return restrictedParent;
        }
        return f.via().stream().anyMatch(v -> Objects.equals(v.name(), fk.name())
                && v.childColumns().equals(fk.childColumns()) && v.parentColumns().equals(fk.parentColumns()));
    }
}
