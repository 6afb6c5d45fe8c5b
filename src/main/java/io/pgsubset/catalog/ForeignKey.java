package io.pgsubset.catalog;

import java.util.List;
import java.util.Objects;

/**
 * A foreign key from {@code child(childColumns)} to {@code parent(parentColumns)}. Also used for
 * the plan's declared {@code relations}, which the closure treats exactly like real ones.
 *
 * @param declared  true when the database enforces it, false for a plan relation
 * @param validated false for a NOT VALID constraint
 * @param period    a temporal key (PostgreSQL 18's {@code PERIOD}): its last columns are ranges, and a
 *                  child row references every parent row of equal leading columns whose range
 *                  overlaps its own (together they cover it)
 */
public record ForeignKey(String name, QualifiedName child, List<String> childColumns, QualifiedName parent,
                         List<String> parentColumns, boolean deferrable, boolean validated, boolean declared,
                         boolean period) {
    public ForeignKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(child, "child");
        Objects.requireNonNull(parent, "parent");
        childColumns = List.copyOf(childColumns);
        parentColumns = List.copyOf(parentColumns);
        if (childColumns.isEmpty() || childColumns.size() != parentColumns.size()) {
            throw new IllegalArgumentException("foreign key " + name + " has mismatched column lists");
        }
    }

    /** A key compared by equality on every column (every key before PostgreSQL 18, and plan relations). */
    public ForeignKey(String name, QualifiedName child, List<String> childColumns, QualifiedName parent,
                      List<String> parentColumns, boolean deferrable, boolean validated, boolean declared) {
        this(name, child, childColumns, parent, parentColumns, deferrable, validated, declared, false);
    }

    /**
     * The record's equality, written out: the generated one links a bootstrap method at its first
     * call, on the closure's path at a dump's start (12 ms). Every component.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof ForeignKey k && name.equals(k.name) && child.equals(k.child)
                && childColumns.equals(k.childColumns) && parent.equals(k.parent)
                && parentColumns.equals(k.parentColumns) && deferrable == k.deferrable && validated == k.validated
                && declared == k.declared && period == k.period;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, child, childColumns, parent, parentColumns, deferrable, validated, declared, period);
    }

    public boolean selfReference() {
        return child.equals(parent);
    }

    /** {@code public.b(a_id) -> public.a(id)}: how messages and the explain output name an edge. */
    public String describe() {
        return child.display() + "(" + String.join(", ", childColumns) + ") -> " + parent.display() + "("
                + String.join(", ", parentColumns) + ")";
    }
}
