package io.pgsubset.subset;

import io.pgsubset.catalog.ForeignKey;
import io.pgsubset.catalog.Table;
import io.pgsubset.plan.Mode;
import io.pgsubset.sql.Ident;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * A foreign key (or declared relation) between two plan tables. {@code childRel}/{@code parentRel}
 * are the relations the constraint is really on (a partition, say), the nodes their partition roots.
 */
final class Edge {
    private final ForeignKey fk;
    private final Node child;
    private final Table childRel;
    private final Optional<Node> parent;
    private final Table parentRel;
    long down;
    long up;
    boolean downConsidered;
    boolean upConsidered;
    /** Included rows that reference a skipped table through this key. */
    long skippedReferences;
    /**
     * The child rows this key added downward: their parents are included by construction, so the
     * upward pass need not check them through this key (on the production shape that spares a
     * primary-key lookup in the huge child table per followed row).
     */
    final KeySet addedDown;

    Edge(ForeignKey fk, Node child, Table childRel, Node parent, Table parentRel) {
        this.fk = fk;
        this.child = child;
        this.addedDown = child.identity.newSet();
        this.childRel = childRel;
        this.parent = Optional.ofNullable(parent);
        this.parentRel = parentRel;
    }

    ForeignKey fk() {
        return fk;
    }

    Node child() {
        return child;
    }

    Optional<Node> parent() {
        return parent;
    }

    Table childRel() {
        return childRel;
    }

    Table parentRel() {
        return parentRel;
    }

    /** Whether children of the parent's downward rows join the child table through this key. */
    boolean drivesDown() {
        if (!(child.mode() instanceof Mode.Follow follow) || !child.keyed()) {
            return false;
        }
        if (parent.isEmpty() || !parent.get().keyed()) {
            return false;
        }
        return follow.via().isEmpty() || follow.via().stream().anyMatch(this::sameKey);
    }

    private boolean sameKey(ForeignKey other) {
        return other.equals(fk) || (other.name().equals(fk.name()) && other.child().equals(fk.child())
                && other.childColumns().equals(fk.childColumns()));
    }

    /** A temporal key (PERIOD): rows match by equal leading columns and overlapping ranges, never by equality. */
    boolean temporal() {
        return fk.period();
    }

    /**
     * The condition that a child row (aliased {@code child}) references a parent row ({@code parent})
     * through a temporal key: equal leading columns, overlapping last column. A child row references
     * every such parent row, since together they cover its range.
     */
    String temporalMatch(String child, String parent) {
        List<String> c = fk.childColumns();
        List<String> p = fk.parentColumns();
        List<String> terms = new java.util.ArrayList<>();
        for (int i = 0; i < c.size() - 1; i++) {
            terms.add(child + "." + Ident.quote(c.get(i)) + " = " + parent + "." + Ident.quote(p.get(i)));
        }
        int last = c.size() - 1;
        terms.add(child + "." + Ident.quote(c.get(last)) + " OPERATOR(pg_catalog.&&) " + parent + "."
                + Ident.quote(p.get(last)));
        return String.join(" AND ", terms);
    }

    String childColumns(String alias) {
        return Ident.list(alias, fk.childColumns());
    }

    String parentColumns(String alias) {
        return Ident.list(alias, fk.parentColumns());
    }

    /**
     * When the key references exactly the parent's identity on the parent root itself, the child's
     * columns can be compared to the parent keys directly, without a join: the child's columns in
     * the parent identity's order; empty otherwise.
     */
    Optional<List<String>> directChildColumns(String alias) {
        Node p = parent.orElseThrow();
        if (temporal() || !parentRel.name().equals(p.table.name()) || p.identity instanceof RowIdentity.Ctid) {
            return Optional.empty();
        }
        List<String> idColumns = p.identity.columns();
        if (idColumns.size() != fk.parentColumns().size()
                || !new HashSet<>(idColumns).equals(new HashSet<>(fk.parentColumns()))) {
            return Optional.empty();
        }
        if (p.identity instanceof RowIdentity.Tuple t && t.wholeRowHash()) {
            return Optional.empty();
        }
        return Optional.of(idColumns.stream()
                .map(c -> alias + "." + Ident.quote(fk.childColumns().get(fk.parentColumns().indexOf(c))))
                .toList());
    }

    /** {@code c."a" IS NOT NULL AND ...}: the rows that reference something (MATCH SIMPLE). */
    String referencesSomething(String alias) {
        return String.join(" AND ", fk.childColumns().stream()
                .map(c -> alias + "." + Ident.quote(c) + " IS NOT NULL").toList());
    }
}
