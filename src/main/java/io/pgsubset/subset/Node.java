package io.pgsubset.subset;

import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.Table;
import io.pgsubset.plan.Mode;
import io.pgsubset.plan.TablePlan;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** One table of the plan (a partition tree counts as its root) while the closure runs. */
final class Node {
    final TablePlan plan;
    final Table table;
    final RowIdentity identity;
    /** Every row selected so far (sample and follow tables only). */
    final KeySet included;
    /** Rows added in the current round, which the next round expands. */
    KeySet frontier;
    /** Rows chosen as sample roots. */
    long roots;
    /** Rows a follow table got downward: what its limit caps. */
    long downward;
    final Set<String> nulledColumns = new LinkedHashSet<>();
    /**
     * The one key whose parent rows select this table's rows, when the closure leaves the join to
     * the server (see {@link Closure.Options#childrenByParents()}); null otherwise.
     */
    Edge byParents;
    /** The parent rows whose children this table gets (with {@link #byParents}). */
    KeySet parentKeys;
    /** The rows counted through {@link #byParents} (0 when not counted). */
    long byParentsRows;
    /** Whether {@link #byParentsRows} was counted up front (a limited table under its limit): exact, final. */
    boolean byParentsCounted;

    Node(TablePlan plan, Table table, RowIdentity identity) {
        this.plan = plan;
        this.table = table;
        this.identity = identity;
        this.included = identity.newSet();
        this.frontier = identity.newSet();
    }

    QualifiedName name() {
        return plan.table();
    }

    Mode mode() {
        return plan.mode();
    }

    /** Rows chosen by key: a sample or follow table whose data is dumped. */
    boolean keyed() {
        return (mode() instanceof Mode.Sample || mode() instanceof Mode.Follow) && !table.extensionOwnedData();
    }

    /** Every row of the table is there after a restore: a full table, or an extension's own data. */
    boolean complete() {
        return mode() instanceof Mode.Full || table.extensionOwnedData();
    }

    /** A full table whose rows the dump writes (so their references matter). */
    boolean dumpedWhole() {
        return mode() instanceof Mode.Full && !table.extensionOwnedData();
    }

    OptionalLong followLimit() {
        return mode() instanceof Mode.Follow f ? f.limit() : OptionalLong.empty();
    }

    /**
     * An extension configuration table takes part only with the rows its filter selects, in every
     * mode: the others come with CREATE EXTENSION, so dumping them would collide on the target.
     */
    Optional<String> extensionFilter() {
        return table.extensionFilter();
    }

    /** How a chunk of keys appears in a condition: bound parameters, or literals inlined for COPY. */
    enum Membership {
        BOUND, INLINED;

        String render(RowIdentity identity, List<String> over, KeySet.KeyChunk chunk) {
            return this == BOUND ? identity.membership(over) : identity.inline(over, chunk);
        }
    }

    /** The relation as a FROM item: ONLY for a plain or inheritance table, the tree for a partitioned one. */
    static String from(Table t) {
        return (t.isPartitioned() ? "" : "ONLY ") + t.name().sql();
    }
}
