package io.pgsubset.subset;

import io.pgsubset.error.UsageException;
import io.pgsubset.plan.Mode;
import io.pgsubset.plan.OnSkippedParent;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upward closure: rounds until every foreign key of every included row points at an included
 * row. The first round checks every included row (and every row of full tables); later rounds only
 * the parents the previous round added. Parents added here never pull their own children.
 */
final class Upward {
    private final Closure closure;
    private final Queries queries;

    Upward(Closure closure, Queries queries) {
        this.closure = closure;
        this.queries = queries;
    }

    void run() throws SQLException {
        for (Node node : closure.nodes().values()) {
            node.frontier = node.identity.newSet();
            if (node.keyed()) {
                node.frontier.addAll(node.included);
            }
        }
        boolean first = true;
        for (int round = 1; ; round++) {
            Map<Node, KeySet> current = new IdentityHashMap<>();
            for (Node node : closure.nodes().values()) {
                if (!node.frontier.isEmpty()) {
                    current.put(node, node.frontier);
                    node.frontier = node.identity.newSet();
                }
            }
            if (current.isEmpty() && !first) {
                break;
            }
            long started = System.nanoTime();
            long before = closure.selectedRows();
            for (Edge edge : closure.edges()) {
                Node child = edge.child();
                if ((child.keyed() || child.dumpedWhole()) && edge.parent().map(Node::keyed).orElse(false)) {
                    edge.upConsidered = true;
                }
                if (child.keyed() && current.containsKey(child)) {
                    // a row added down through a temporal key has one parent row included, not all that cover it
                    KeySet keys = first && !edge.temporal() ? current.get(child).minus(edge.addedDown)
                            : current.get(child);
                    if (!keys.isEmpty()) {
                        check(edge, keys);
                    }
                } else if (first && child.dumpedWhole()) {
                    check(edge, null);
                }
            }
            first = false;
            closure.endRound("up " + round, started, before);
            closure.checkGuard();
        }
        resolveSkippedReferences();
    }

    /** Checks the references of a set of child rows ({@code null}: every row of a full child). */
    private void check(Edge edge, KeySet childKeys) throws SQLException {
        boolean whole = childKeys == null;
        if (edge.parent().isPresent() && edge.parent().get().complete()) {
            return;
        }
        if (edge.parent().isEmpty() || edge.parent().get().mode() instanceof Mode.Skip) {
            String sql = Queries.referencingCountSql(edge, whole);
            for (Queries.Binder binder : binders(edge, childKeys)) {
                queries.stream(sql, binder, rs -> {
                    edge.skippedReferences += rs.getLong(1);
                    return false;
                });
            }
            return;
        }
        Node parent = edge.parent().get();
        edge.upConsidered = true;
        String sql = Queries.upSql(edge, whole);
        for (Queries.Binder binder : binders(edge, childKeys)) {
            queries.stream(sql, binder, rs -> {
                Object key = parent.identity.read(rs, 1);
                if (parent.included.addKey(key)) {
                    parent.frontier.addKey(key);
                    edge.up++;
                }
                return true;
            });
        }
    }

    private List<Queries.Binder> binders(Edge edge, KeySet childKeys) {
        List<Queries.Binder> out = new ArrayList<>();
        if (childKeys == null) {
            out.add((st, i) -> i);
            return out;
        }
        for (KeySet.KeyChunk chunk : childKeys.chunks(queries.maxKeys())) {
            out.add(queries.chunk(edge.child().identity, chunk));
        }
        return out;
    }

    /**
     * References into skipped tables (or tables outside the plan): with on_skipped_parent: null and
     * nullable columns the dump writes NULL there; anything else is an error naming every case.
     */
    private void resolveSkippedReferences() {
        List<String> problems = new ArrayList<>();
        for (Edge edge : closure.edges()) {
            if (edge.skippedReferences == 0) {
                continue;
            }
            boolean nullable = edge.fk().childColumns().stream()
                    .allMatch(c -> edge.childRel().column(c).map(col -> !col.notNull()).orElse(false));
            if (closure.onSkippedParent() == OnSkippedParent.NULL && nullable) {
                edge.child().nulledColumns.addAll(edge.fk().childColumns());
                continue;
            }
            String what = edge.parent().isPresent() ? "skipped table " : "table outside the plan ";
            String fix = closure.onSkippedParent() == OnSkippedParent.NULL
                    ? "the column is NOT NULL, so include " + edge.fk().parent().display() + " (full or follow)"
                    : "include " + edge.fk().parent().display() + " (full or follow) or set on_skipped_parent: null"
                    + (nullable ? "" : " (needs nullable columns)");
            problems.add("table " + edge.fk().child().display() + " column"
                    + (edge.fk().childColumns().size() > 1 ? "s " : " ") + String.join(", ", edge.fk().childColumns())
                    + ": " + edge.skippedReferences + " included row" + (edge.skippedReferences == 1 ? "" : "s")
                    + " reference " + what + edge.fk().parent().display() + " (" + edge.fk().name() + "); fix: " + fix);
        }
        if (!problems.isEmpty()) {
            throw new UsageException(String.join("\n", problems));
        }
    }

}
