package io.pgsubset.catalog;

import java.util.List;
import java.util.Objects;

/**
 * A foreign key from {@code child(childColumns)} to {@code parent(parentColumns)}. Also used for
 * the plan's declared {@code relations}, which the closure treats exactly like real ones.
 *
 * @param declared  true when the database enforces it, false for a plan relation
 * @param validated false for a NOT VALID constraint
 */
public record ForeignKey(String name, QualifiedName child, List<String> childColumns, QualifiedName parent,
                         List<String> parentColumns, boolean deferrable, boolean validated, boolean declared) {
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

    public boolean selfReference() {
        return child.equals(parent);
    }

    /** {@code public.b(a_id) -> public.a(id)}: how messages and the explain output name an edge. */
    public String describe() {
        return child.display() + "(" + String.join(", ", childColumns) + ") -> " + parent.display() + "("
                + String.join(", ", parentColumns) + ")";
    }
}
