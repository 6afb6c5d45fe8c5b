package io.pgsubset.subset;

import io.pgsubset.error.Messages;
import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.ForeignKey;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.Table;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;
import io.pgsubset.plan.Mode;
import io.pgsubset.plan.OnSkippedParent;
import io.pgsubset.plan.ResolvedPlan;
import io.pgsubset.plan.TablePlan;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The subset engine: from a resolved plan to the exact rows of every table, computed set-based in
 * rounds inside the caller's (REPEATABLE READ, READ ONLY) transaction. It only reads: no temporary
 * table, no function, no write, so it runs on a hot standby and as a SELECT-only role.
 *
 * <ol>
 *   <li>Roots: every sample table's rows (every Nth in order, or a seeded hash percentage; where;
 *       limit).</li>
 *   <li>Downward, to a fixed point: per round, for every foreign key of a follow table (restricted by
 *       its {@code via}) whose parent gained rows downward in the previous round, one statement per
 *       chunk of those parent keys fetches the children; new children are next round's frontier. A
 *       follow {@code limit} caps the rows a table gets downward over all rounds (see README).</li>
 *   <li>Upward, to a fixed point: every foreign key of every included row (sample, follow and full
 *       tables) must point at an included row; missing parents of sample/follow tables are added,
 *       and they in turn need their parents, but never pull their own children.</li>
 * </ol>
 * Keys between rounds live in {@link KeySet}s on the client.
 */
public final class Closure {
    /**
     * @param maxKeysPerStatement keys bound to one statement (chunk size) and inlined into one predicate
     * @param countAllRows        count the rows of full tables exactly (a scan of each); otherwise their
     *                            {@link TableSubset#rows()} is the planner's estimate
     * @param maxRows             overrides the plan's max_rows (the dump's --max-rows)
     * @param childrenByParents   a follow table whose rows are exactly the children of its parent's
     *                            rows (see {@link ChildrenOfParents}) is not fetched: its selection names
     *                            the parents' keys and the server joins once, when the rows are copied.
     *                            Its rows are then counted only when a max_rows guard or
     *                            {@code countAllRows} needs the number, else estimated
     */
    public record Options(int maxKeysPerStatement, boolean countAllRows, OptionalLong maxRows,
                          boolean childrenByParents) {
        public static final int DEFAULT_MAX_KEYS = 50_000;

        public Options {
            if (maxKeysPerStatement < 1) {
                throw new IllegalArgumentException("maxKeysPerStatement must be at least 1");
            }
        }

        public static Options defaults() {
            return new Options(DEFAULT_MAX_KEYS, false, OptionalLong.empty(), false);
        }

        public Options withMaxRows(long maxRows) {
            return new Options(maxKeysPerStatement, countAllRows, OptionalLong.of(maxRows), childrenByParents);
        }

        public Options withCountAllRows(boolean count) {
            return new Options(maxKeysPerStatement, count, maxRows, childrenByParents);
        }

        public Options withMaxKeysPerStatement(int max) {
            return new Options(max, countAllRows, maxRows, childrenByParents);
        }

        public Options withChildrenByParents(boolean byParents) {
            return new Options(maxKeysPerStatement, countAllRows, maxRows, byParents);
        }
    }

    private final Connection conn;
    private final Catalog catalog;
    private final ResolvedPlan plan;
    private final Options options;
    private final Map<QualifiedName, Node> nodes = new LinkedHashMap<>();
    private final List<Edge> edges = new ArrayList<>();
    private final List<Round> rounds = new ArrayList<>();
    private final OptionalLong maxRows;

    private Closure(Connection conn, Catalog catalog, ResolvedPlan plan, Options options) {
        this.conn = conn;
        this.catalog = catalog;
        this.plan = plan;
        this.options = options;
        this.maxRows = options.maxRows().isPresent() ? options.maxRows() : plan.maxRows();
    }

    /** Computes the subset with default options; runs inside the caller's open transaction. */
    public static Subset compute(Connection conn, Catalog catalog, ResolvedPlan plan) {
        return compute(conn, catalog, plan, Options.defaults());
    }

    public static Subset compute(Connection conn, Catalog catalog, ResolvedPlan plan, Options options) {
        Closure closure = new Closure(conn, catalog, plan, options);
        try {
            return closure.run();
        } catch (SQLException e) {
            throw new PgsubsetException("computing the subset failed: " + Messages.firstLine(e)
                    + "; check the plan's where: conditions and that the role may SELECT every table", e);
        }
    }

    /**
     * The statement that fetches the children of parent keys through each foreign key that drives a
     * follow table downward (ordered and paged when the table has a limit), by constraint name: for
     * EXPLAIN in tests and diagnostics. Parameters: the key arrays, then LIMIT and OFFSET.
     */
    static Map<String, String> downwardStatements(Catalog catalog, ResolvedPlan plan) {
        Closure closure = new Closure(null, catalog, plan, Options.defaults());
        closure.buildNodes();
        closure.buildEdges();
        Map<String, String> out = new LinkedHashMap<>();
        for (Edge e : closure.edges) {
            if (e.drivesDown()) {
                out.put(e.fk().name(), Queries.downSql(e, e.child().followLimit().isPresent()));
            }
        }
        return out;
    }

    /**
     * The tables copied whole whose selection the closure cannot change, exactly as {@link #compute}
     * will return them: a copy of them may start before the closure runs. A full table is such a
     * table unless one of its foreign keys points at a skipped table or one outside the plan (its
     * rows' references there are counted by the closure, and may set {@code on_skipped_parent: null}
     * columns or fail the plan). Empty when full tables are counted ({@link Options#countAllRows}).
     */
    public static List<TableSubset> settledBeforehand(Catalog catalog, ResolvedPlan plan, Options options) {
        if (options.countAllRows()) {
            return List.of();
        }
        Closure closure = new Closure(null, catalog, plan, options);
        closure.buildNodes();
        closure.buildEdges();
        List<TableSubset> out = new ArrayList<>();
        for (Node node : closure.nodes.values()) {
            boolean settled = node.dumpedWhole() && closure.edges.stream().filter(e -> e.child() == node)
                    .allMatch(e -> e.parent().map(p -> p.complete() || !(p.mode() instanceof Mode.Skip)).orElse(false));
            if (settled) {
                out.add(new TableSubset(node.plan, new RowSelection.AllRows(node.extensionFilter()), List.of(),
                        closure.estimatedRows(node), false, 0));
            }
        }
        return out;
    }

    private Subset run() throws SQLException {
        buildNodes();
        buildEdges();
        if (options.childrenByParents()) {
            markChildrenByParents();
        }
        Queries queries = new Queries(conn, options.maxKeysPerStatement());
        for (Node node : nodes.values()) {
            if (node.mode() instanceof Mode.Sample sample && node.keyed()) {
                long started = System.nanoTime();
                long before = selectedRows();
                queries.sampleRoots(node, sample);
                node.frontier.addAll(node.included);
                endRound("sample " + node.name().display(), started, before);
                checkGuard();
            }
        }
        if (options.childrenByParents()) {
            markLimitedChildrenByParents(queries);
        }
        new Downward(this, queries).run();
        new Upward(this, queries).run();
        return result(queries);
    }

    private void buildNodes() {
        for (TablePlan tp : plan.tables()) {
            Table table = catalog.table(tp.table()).orElseThrow(() -> new PgsubsetException(
                    "table " + tp.table().display() + " of the plan is not in the database; run plan check"));
            nodes.put(tp.table(), new Node(tp, table, RowIdentity.of(table)));
        }
    }

    private void buildEdges() {
        // a set: a caller may pass a catalog that already has the plan's relations
        java.util.Set<ForeignKey> all = new java.util.LinkedHashSet<>(catalog.foreignKeys());
        all.addAll(plan.relations());
        for (ForeignKey fk : all) {
            Node child = nodes.get(catalog.partitionRoot(fk.child()));
            if (child == null) {
                continue;
            }
            Table childRel = catalog.table(fk.child()).orElse(child.table);
            Node parent = nodes.get(catalog.partitionRoot(fk.parent()));
            Table parentRel = parent == null ? null : catalog.table(fk.parent()).orElse(parent.table);
            edges.add(new Edge(fk, child, childRel, parent, parentRel));
        }
        edges.sort(Comparator.comparing((Edge e) -> e.child().name())
                .thenComparing(e -> e.fk().name())
                .thenComparing(e -> e.fk().child())
                .thenComparing(e -> e.fk().parent()));
    }

    /**
     * Marks the follow tables without a limit whose rows are exactly the children of their one
     * parent's downward rows ({@link #onlyChildOf}): the server joins them while copying.
     */
    private void markChildrenByParents() {
        for (Node node : nodes.values()) {
            if (node.mode() instanceof Mode.Follow follow && follow.limit().isEmpty()) {
                onlyChildOf(node).ifPresent(edge -> joinedByTheServer(node, edge));
            }
        }
    }

    /**
     * The same for a follow table with a limit whose parent is a sample table, once the sample is
     * drawn (a sample table gets no rows downward, and rows added upward pull no children, so its
     * rows so far are all the parents the table will have): when they have no more children than
     * the limit, the limit takes none away. The count stops at limit + 1 rows, so it never reads
     * more than the keyed path would; those rows are then exact, whatever the guard needs.
     */
    private void markLimitedChildrenByParents(Queries queries) throws SQLException {
        for (Node node : nodes.values()) {
            if (!(node.mode() instanceof Mode.Follow follow) || follow.limit().isEmpty()) {
                continue;
            }
            Optional<Edge> only = onlyChildOf(node);
            if (only.isEmpty() || !(only.get().parent().orElseThrow().mode() instanceof Mode.Sample)) {
                continue;
            }
            Edge edge = only.get();
            long limit = follow.limit().getAsLong();
            long started = System.nanoTime();
            long before = selectedRows();
            long children = queries.countChildren(edge, edge.parent().orElseThrow().included, limit + 1);
            if (children <= limit) {
                joinedByTheServer(node, edge);
                node.byParentsRows = children;
                node.byParentsCounted = true;
                node.downward = children;
                edge.down = children;
            }
            endRound("count " + node.name().display() + (children <= limit ? " (within its limit: joined by the server)"
                    : " (over its limit: keys fetched)"), started, before);
            checkGuard();
        }
    }

    /**
     * The one key whose parent rows are exactly a follow table's rows: its one driving key (on the
     * table itself, to the parent's own table), nothing referencing the table (so nothing can add
     * rows to it upward or drive down from it), its other keys pointing at complete tables (so its
     * rows need no upward check), no extension configuration filter.
     */
    private Optional<Edge> onlyChildOf(Node node) {
        if (!node.keyed() || node.extensionFilter().isPresent()) {
            return Optional.empty();
        }
        List<Edge> into = edges.stream().filter(e -> e.child() == node && e.drivesDown()).toList();
        if (into.size() != 1) {
            return Optional.empty();
        }
        Edge edge = into.get(0);
        Node parent = edge.parent().orElseThrow();
        // a temporal key's children need their other covering parents, found only row by row
        if (edge.temporal() || parent == node || !edge.childRel().name().equals(node.table.name())
                || !edge.parentRel().name().equals(parent.table.name())) {
            return Optional.empty();
        }
        boolean alone = edges.stream().allMatch(e -> e == edge || (e.parent().orElse(null) != node
                && (e.child() != node || e.parent().map(Node::complete).orElse(false))));
        return alone ? Optional.of(edge) : Optional.empty();
    }

    private static void joinedByTheServer(Node node, Edge edge) {
        node.byParents = edge;
        node.parentKeys = edge.parent().orElseThrow().identity.newSet();
    }

    /** Whether rows of tables selected by their parents' keys are counted (else estimated). */
    boolean countsChildrenByParents() {
        return maxRows.isPresent() || options.countAllRows();
    }

    Map<QualifiedName, Node> nodes() {
        return nodes;
    }

    List<Edge> edges() {
        return edges;
    }

    ResolvedPlan plan() {
        return plan;
    }

    OnSkippedParent onSkippedParent() {
        return plan.onSkippedParent();
    }

    /** The rows chosen so far in sample and follow tables. */
    long selectedRows() {
        return nodes.values().stream().filter(Node::keyed).mapToLong(n -> n.included.size() + n.byParentsRows).sum();
    }

    /** Records a step that started at {@code started} (System.nanoTime) with {@code before} rows selected. */
    void endRound(String name, long started, long before) {
        rounds.add(new Round(name, System.nanoTime() - started, selectedRows() - before));
    }

    /** The explosion guard: throws once the rows the closure chose exceed max_rows. */
    void checkGuard() {
        if (maxRows.isEmpty()) {
            return;
        }
        long total = selectedRows();
        if (total <= maxRows.getAsLong()) {
            return;
        }
        List<String> causes = new ArrayList<>();
        nodes.values().stream().filter(n -> n.mode() instanceof Mode.Sample && n.roots > 0)
                .forEach(n -> causes.add(new Cause("sample " + n.name().display(), n.roots).toString()));
        List<Cause> byEdge = new ArrayList<>();
        for (Edge e : edges) {
            if (e.down > 0) {
                byEdge.add(new Cause("down " + e.fk().describe(), e.down));
            }
            if (e.up > 0) {
                byEdge.add(new Cause("up " + e.fk().describe(), e.up));
            }
        }
        byEdge.sort(Comparator.comparingLong(Cause::rows).reversed());
        String top = byEdge.stream().limit(5).map(Cause::toString).collect(Collectors.joining("; "));
        throw new UsageException("the subset exceeds max_rows (" + maxRows.getAsLong() + "): more than " + total
                + " rows in sample and follow tables; largest contributions: "
                + (top.isEmpty() ? String.join("; ", causes) : top)
                + "; fix: lower the sample rate, add a follow limit, skip a table, or raise max_rows / --max-rows");
    }

    private record Cause(String what, long rows) {
        @Override
        public String toString() {
            return what + " (+" + rows + " rows)";
        }
    }

    private Subset result(Queries queries) throws SQLException {
        List<TableSubset> tables = new ArrayList<>();
        for (Node node : nodes.values()) {
            tables.add(new TableSubset(node.plan, selection(node), List.copyOf(node.nulledColumns),
                    rows(node, queries), counted(node), node.roots));
        }
        List<EdgeStat> stats = new ArrayList<>();
        for (Edge e : edges) {
            if (e.downConsidered) {
                stats.add(new EdgeStat(e.fk(), EdgeStat.Direction.DOWN, e.down));
            }
            if (e.upConsidered) {
                stats.add(new EdgeStat(e.fk(), EdgeStat.Direction.UP, e.up));
            }
        }
        return new Subset(tables, stats, rounds);
    }

    private RowSelection selection(Node node) {
        if (node.table.extensionOwnedData() || node.mode() instanceof Mode.Skip) {
            return new RowSelection.NoRows();
        }
        if (node.mode() instanceof Mode.Full) {
            return new RowSelection.AllRows(node.extensionFilter());
        }
        if (node.byParents != null) {
            return node.parentKeys.isEmpty() ? new RowSelection.NoRows()
                    : new ChildrenOfParents(node.byParents, node.parentKeys, rowsByParents(node));
        }
        if (node.included.isEmpty()) {
            return new RowSelection.NoRows();
        }
        return new KeyedSelection(node.identity, node.included);
    }

    private long rows(Node node, Queries queries) throws SQLException {
        if (node.table.extensionOwnedData() || node.mode() instanceof Mode.Skip) {
            return 0;
        }
        if (node.mode() instanceof Mode.Full) {
            return options.countAllRows() ? queries.countAll(node) : estimatedRows(node);
        }
        if (node.byParents != null) {
            return node.parentKeys.isEmpty() ? 0 : rowsByParents(node);
        }
        return node.included.size();
    }

    /** The catalog's row estimate of a table (of a partitioned one, its partitions'). */
    private long estimatedRows(Node node) {
        return Math.max(0, Math.round(catalog.estimatedRows(node.name()).orElse(0)));
    }

    /** Whether {@link #rows} counts the node's rows rather than estimating them. */
    private boolean counted(Node node) {
        if (node.table.extensionOwnedData() || node.mode() instanceof Mode.Skip) {
            return true;
        }
        if (node.mode() instanceof Mode.Full) {
            return options.countAllRows();
        }
        return node.byParents == null || node.parentKeys.isEmpty() || countsChildrenByParents() || node.byParentsCounted;
    }

    /**
     * The counted rows of a table selected by its parents' keys, or (when nothing needed the count)
     * the table's rows per parent row times the parent keys: at least 1, since there are parent keys.
     */
    private long rowsByParents(Node node) {
        if (countsChildrenByParents() || node.byParentsCounted) {
            return node.byParentsRows;
        }
        Table parent = node.byParents.parent().orElseThrow().table;
        double perParent = node.table.estimatedRows().orElse(0) / Math.max(1.0, parent.estimatedRows().orElse(1));
        return Math.max(1, Math.round(perParent * node.parentKeys.size()));
    }
}
