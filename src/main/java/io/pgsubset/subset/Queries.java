package io.pgsubset.subset;

import io.pgsubset.plan.Mode;
import io.pgsubset.plan.SampleRate;
import io.pgsubset.sql.Ident;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The closure's statements: each reads one table (joined to at most one other) for a chunk of keys. */
final class Queries {
    private static final int FETCH_SIZE = 10_000;
    /** A percent sample takes a row when the first 32 bits of md5(seed:key) fall below percent% of 2^32. */
    private static final String PERCENT_HASH = "('x' || pg_catalog.substr(pg_catalog.md5(%s || %s), 1, 8))::bit(32)::int8";

    private final Connection conn;
    private final int maxKeys;

    Queries(Connection conn, int maxKeys) {
        this.conn = conn;
        this.maxKeys = maxKeys;
    }

    Connection connection() {
        return conn;
    }

    int maxKeys() {
        return maxKeys;
    }

    interface Binder {
        int bind(PreparedStatement st, int index) throws SQLException;
    }

    interface RowHandler {
        /** Returns false to stop reading. */
        boolean row(ResultSet rs) throws SQLException;
    }

    /** Runs a query, streaming its rows; returns how many rows were read. */
    long stream(String sql, Binder binder, RowHandler handler) throws SQLException {
        try (PreparedStatement st = conn.prepareStatement(sql)) {
            // Never a server-side generic plan: each chunk is planned with its own keys, so the
            // planner always sees how few keys there are and keeps to the foreign-key index.
            st.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(0);
            st.setFetchSize(FETCH_SIZE);
            binder.bind(st, 1);
            long n = 0;
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    n++;
                    if (!handler.row(rs)) {
                        break;
                    }
                }
            }
            return n;
        }
    }

    // ---- sample roots ----------------------------------------------------------------------

    /**
     * {@code every: N}: rows N, 2N, 3N, ... of the table in {@code order_by} order, ties broken by the
     * row's key (primary key, else the NOT NULL unique key), i.e. {@code row_number() % N = 0} after
     * {@code where}, at most {@code limit}: the rows of the administrator's {@code row % N = 0}
     * query. A table with fewer than N rows gives no roots.
     */
    static String everySql(Node node, Mode.Sample sample, SampleRate.Every every) {
        List<String> ids = node.identity.readExpressions("t");
        StringBuilder inner = new StringBuilder("SELECT ");
        for (int i = 0; i < ids.size(); i++) {
            inner.append(ids.get(i)).append(" AS k").append(i + 1).append(", ");
        }
        inner.append("pg_catalog.row_number() OVER (ORDER BY ").append(order(node, sample)).append(") AS rn")
                .append(" FROM ").append(Node.from(node.table)).append(" t");
        inner.append(rowFilter(node, sample, " WHERE "));
        String outerIds = java.util.stream.IntStream.rangeClosed(1, ids.size()).mapToObj(i -> "s.k" + i)
                .collect(Collectors.joining(", "));
        return "SELECT " + outerIds + " FROM (" + inner + ") s WHERE s.rn % " + every.n() + " = 0"
                + " ORDER BY s.rn" + limit(sample);
    }

    /** {@code percent: P}: rows whose seeded md5 hash of the key falls in the first P% of the range. */
    static String percentSql(Node node, Mode.Sample sample, SampleRate.Percent percent) {
        BigDecimal threshold = BigDecimal.valueOf(percent.percent()).multiply(BigDecimal.valueOf(1L << 32))
                .divide(BigDecimal.valueOf(100)).setScale(0, java.math.RoundingMode.CEILING);
        String hash = String.format(PERCENT_HASH, Ident.literal(percent.seed() + ":"), node.identity.hashText("t"));
        StringBuilder sql = new StringBuilder("SELECT ")
                .append(String.join(", ", node.identity.readExpressions("t")))
                .append(" FROM ").append(Node.from(node.table)).append(" t WHERE ")
                .append(hash).append(" < ").append(threshold.toPlainString());
        sql.append(rowFilter(node, sample, " AND "));
        return sql.append(" ORDER BY ").append(order(node, sample)).append(limit(sample)).toString();
    }

    /**
     * The plan's {@code where} and an extension configuration table's filter, ANDed, after
     * {@code lead}; empty when there is neither.
     */
    private static String rowFilter(Node node, Mode.Sample sample, String lead) {
        List<String> conditions = java.util.stream.Stream.of(sample.where(), node.extensionFilter())
                .flatMap(Optional::stream).map(c -> "(" + c + ")").toList();
        return conditions.isEmpty() ? "" : lead + String.join(" AND ", conditions);
    }

    /** {@code " AND (filter)"} for an extension configuration table with a filter, else empty. */
    private static String andExtensionFilter(Node node) {
        return node.extensionFilter().map(c -> " AND (" + c + ")").orElse("");
    }

    private static String order(Node node, Mode.Sample sample) {
        String key = node.identity.orderBy("t");
        if (sample.orderBy().isEmpty()) {
            return key;
        }
        return Ident.list("t", sample.orderBy()) + ", " + key;
    }

    private static String limit(Mode.Sample sample) {
        return sample.limit().isPresent() ? " LIMIT " + sample.limit().getAsLong() : "";
    }

    void sampleRoots(Node node, Mode.Sample sample) throws SQLException {
        String sql = sample.rate() instanceof SampleRate.Every every ? everySql(node, sample, every)
                : percentSql(node, sample, (SampleRate.Percent) sample.rate());
        stream(sql, (st, i) -> i, rs -> {
            if (node.included.addKey(node.identity.read(rs, 1))) {
                node.roots++;
            }
            return true;
        });
    }

    // ---- downward ----------------------------------------------------------------------------

    /** The children (through {@code edge}) of a chunk of parent keys; ordered and paged when limited. */
    static String downSql(Edge edge, boolean ordered) {
        Node child = edge.child();
        String sql = "SELECT " + String.join(", ", child.identity.readExpressions("c")) + " FROM "
                + Node.from(edge.childRel()) + " c WHERE " + childrenOf(edge, "c", "p", Node.Membership.BOUND, null)
                + andExtensionFilter(child);
        if (ordered) {
            sql += " ORDER BY " + edge.childColumns("c") + ", " + child.identity.orderBy("c") + " LIMIT ? OFFSET ?";
        }
        return sql;
    }

    /** How many children (through {@code edge}) a chunk of parent keys has. */
    static String downCountSql(Edge edge) {
        return "SELECT pg_catalog.count(*) FROM " + Node.from(edge.childRel()) + " c WHERE "
                + childrenOf(edge, "c", "p", Node.Membership.BOUND, null) + andExtensionFilter(edge.child());
    }

    /**
     * How many children (through {@code edge}) the parent keys have, counting no further than
     * {@code atMost} (the server stops reading there).
     */
    long countChildren(Edge edge, KeySet parentKeys, long atMost) throws SQLException {
        String sql = "SELECT pg_catalog.count(*) FROM (SELECT FROM " + Node.from(edge.childRel()) + " c WHERE "
                + childrenOf(edge, "c", "p", Node.Membership.BOUND, null) + andExtensionFilter(edge.child())
                + " LIMIT ?) s";
        Node parent = edge.parent().orElseThrow();
        long total = 0;
        for (KeySet.KeyChunk chunk : parentKeys.chunks(maxKeys())) {
            long left = atMost - total;
            long[] n = new long[1];
            stream(sql, (st, i) -> {
                int next = parent.identity.bind(connection(), st, i, chunk);
                st.setLong(next, left);
                return next + 1;
            }, rs -> {
                n[0] = rs.getLong(1);
                return false;
            });
            total += n[0];
            if (total >= atMost) {
                break;
            }
        }
        return total;
    }

    /**
     * The condition on a child aliased {@code child} that its row references one of the parent keys,
     * bound as parameters or (for COPY, which takes none) inlined from {@code chunk}: the child's
     * columns compared with the keys when the key references the parent's identity, else through
     * the parent table aliased {@code parentAlias}.
     */
    static String childrenOf(Edge edge, String child, String parentAlias, Node.Membership how,
                             KeySet.KeyChunk chunk) {
        Node parent = edge.parent().orElseThrow();
        Optional<List<String>> direct = edge.directChildColumns(child);
        if (direct.isPresent()) {
            return how.render(parent.identity, direct.get(), chunk);
        }
        if (edge.temporal()) {
            return "EXISTS (SELECT 1 FROM " + Node.from(edge.parentRel()) + " " + parentAlias + " WHERE "
                    + how.render(parent.identity, parent.identity.qualified(parentAlias), chunk) + " AND "
                    + edge.temporalMatch(child, parentAlias) + ")";
        }
        return "(" + edge.childColumns(child) + ") IN (SELECT " + edge.parentColumns(parentAlias) + " FROM "
                + Node.from(edge.parentRel()) + " " + parentAlias + " WHERE "
                + how.render(parent.identity, parent.identity.qualified(parentAlias), chunk) + ")";
    }

    // ---- upward ------------------------------------------------------------------------------

    /** The parents (through {@code edge}) of a chunk of child keys, or of every row of a full child. */
    static String upSql(Edge edge, boolean wholeChild) {
        Node parent = edge.parent().orElseThrow();
        if (edge.temporal()) {
            return "SELECT " + String.join(", ", parent.identity.readExpressions("p")) + " FROM "
                    + Node.from(edge.parentRel()) + " p WHERE EXISTS (SELECT 1 FROM " + Node.from(edge.childRel())
                    + " c WHERE " + childFilter(edge, wholeChild) + " AND " + edge.temporalMatch("c", "p") + ")"
                    + andExtensionFilter(parent);
        }
        return "SELECT " + String.join(", ", parent.identity.readExpressions("p")) + " FROM "
                + Node.from(edge.parentRel()) + " p WHERE (" + edge.parentColumns("p") + ") IN (SELECT "
                + edge.childColumns("c") + " FROM " + Node.from(edge.childRel()) + " c WHERE "
                + childFilter(edge, wholeChild) + ")" + andExtensionFilter(parent);
    }

    /** How many of the rows (a chunk of keys, or a whole full table) reference anything through the edge. */
    static String referencingCountSql(Edge edge, boolean wholeChild) {
        return "SELECT pg_catalog.count(*) FROM " + Node.from(edge.childRel()) + " c WHERE "
                + childFilter(edge, wholeChild) + " AND " + edge.referencesSomething("c") + notToExtensionRows(edge);
    }

    /**
     * A skipped extension configuration table still has the extension's own rows on the target
     * (CREATE EXTENSION makes them): references to those are not references into a skipped table.
     */
    private static String notToExtensionRows(Edge edge) {
        Optional<String> filter = edge.parent().flatMap(Node::extensionFilter);
        return filter.map(f -> " AND NOT EXISTS (SELECT 1 FROM " + Node.from(edge.parentRel()) + " p WHERE ("
                + edge.parentColumns("p") + ") = (" + edge.childColumns("c") + ") AND (" + f + ") IS NOT TRUE)")
                .orElse("");
    }

    private static String childFilter(Edge edge, boolean wholeChild) {
        Node child = edge.child();
        if (wholeChild) {
            return child.extensionFilter().map(c -> "(" + c + ")").orElse("TRUE");
        }
        return child.identity.membership(child.identity.qualified("c"));
    }

    long countAll(Node node) throws SQLException {
        String sql = "SELECT pg_catalog.count(*) FROM " + Node.from(node.table) + " t"
                + node.extensionFilter().map(c -> " WHERE (" + c + ")").orElse("");
        long[] count = new long[1];
        stream(sql, (st, i) -> i, rs -> {
            count[0] = rs.getLong(1);
            return false;
        });
        return count[0];
    }

    Binder chunk(RowIdentity identity, KeySet.KeyChunk chunk) {
        return (st, i) -> identity.bind(conn, st, i, chunk);
    }
}
