package io.pgsubset.subset;

import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The downward closure: rounds until no follow table gains a row. In each round every driving edge
 * expands the rows its parent gained in the previous round (the frontier), one statement per chunk
 * of keys; the rows it adds form the child's frontier for the next round.
 */
final class Downward {
    private final Closure closure;
    private final Queries queries;

    Downward(Closure closure, Queries queries) {
        this.closure = closure;
        this.queries = queries;
    }

    void run() throws SQLException {
        List<Edge> driving = closure.edges().stream().filter(Edge::drivesDown).toList();
        driving.forEach(e -> e.downConsidered = true);
        for (int round = 1; ; round++) {
            Map<Node, KeySet> current = new IdentityHashMap<>();
            for (Node node : closure.nodes().values()) {
                if (!node.frontier.isEmpty()) {
                    current.put(node, node.frontier);
                    node.frontier = node.identity.newSet();
                }
            }
            if (current.isEmpty()) {
                return;
            }
            long started = System.nanoTime();
            long before = closure.selectedRows();
            for (Edge edge : driving) {
                KeySet keys = current.get(edge.parent().orElseThrow());
                if (keys != null) {
                    expand(edge, keys);
                }
            }
            closure.endRound("down " + round, started, before);
            closure.checkGuard();
        }
    }

    private void expand(Edge edge, KeySet parentKeys) throws SQLException {
        Node child = edge.child();
        if (child.byParents == edge) {
            byParents(edge, parentKeys);
            return;
        }
        if (child.followLimit().isEmpty()) {
            String sql = Queries.downSql(edge, false);
            Node parent = edge.parent().orElseThrow();
            for (KeySet.KeyChunk chunk : parentKeys.chunks(queries.maxKeys())) {
                queries.stream(sql, queries.chunk(parent.identity, chunk), rs -> {
                    add(edge, child, child.identity.read(rs, 1));
                    return true;
                });
            }
            return;
        }
        long limit = child.followLimit().getAsLong();
        for (KeySet.KeyChunk chunk : parentKeys.chunks(queries.maxKeys())) {
            if (child.downward >= limit) {
                return;
            }
            expandLimited(edge, chunk, limit);
        }
    }

    /**
     * A table the server joins when it is copied: the parent keys are kept, the children are only
     * counted (when the guard or the caller needs the number). Each round's parent keys are new, so
     * the counts add up without overlap.
     */
    private void byParents(Edge edge, KeySet parentKeys) throws SQLException {
        Node child = edge.child();
        child.parentKeys.addAll(parentKeys);
        if (!closure.countsChildrenByParents() || child.byParentsCounted) {
            return;
        }
        String sql = Queries.downCountSql(edge);
        Node parent = edge.parent().orElseThrow();
        for (KeySet.KeyChunk chunk : parentKeys.chunks(queries.maxKeys())) {
            queries.stream(sql, queries.chunk(parent.identity, chunk), rs -> {
                long n = rs.getLong(1);
                child.byParentsRows += n;
                child.downward += n;
                edge.down += n;
                return false;
            });
        }
    }

    /**
     * Takes the first children, in (referencing columns, key) order, that are not included yet, until
     * the table's downward rows reach its limit. Pages through the ordered children with a growing
     * LIMIT so the server stops early: with an index on the referencing columns it reads only as
     * many children as it needs.
     */
    private void expandLimited(Edge edge, KeySet.KeyChunk chunk, long limit) throws SQLException {
        Node child = edge.child();
        Node parent = edge.parent().orElseThrow();
        String sql = Queries.downSql(edge, true);
        long offset = 0;
        long page = limit - child.downward;
        while (true) {
            long pageSize = page;
            long from = offset;
            long read = queries.stream(sql, (st, i) -> {
                int next = parent.identity.bind(queries.connection(), st, i, chunk);
                st.setLong(next, pageSize);
                st.setLong(next + 1, from);
                return next + 2;
            }, rs -> {
                add(edge, child, child.identity.read(rs, 1));
                return child.downward < limit;
            });
            if (child.downward >= limit || read < pageSize) {
                return;
            }
            offset += read;
            page = Math.max(page * 2, limit - child.downward);
        }
    }

    private static void add(Edge edge, Node child, Object key) {
        if (child.included.addKey(key)) {
            child.frontier.addKey(key);
            edge.addedDown.addKey(key);
            child.downward++;
            edge.down++;
        }
    }
}
