package io.pgsubset.catalog;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * QualifiedName and ForeignKey write their record equality out (the generated one links a
 * bootstrap method at start-up): equal components are equal with equal hashes, and every
 * component tells.
 */
class WrittenOutEqualityTest {
    private static final QualifiedName A = new QualifiedName("public", "a");
    private static final QualifiedName B = new QualifiedName("public", "b");

    @Test
    void qualifiedNamesCompareBothParts() {
        QualifiedName same = new QualifiedName("public", "a");
        assertEquals(A, same);
        assertEquals(A.hashCode(), same.hashCode());
        assertNotEquals(A, new QualifiedName("other", "a"));
        assertNotEquals(A, new QualifiedName("public", "A"));
        assertNotEquals(new QualifiedName("ab", "c"), new QualifiedName("a", "bc"));
        assertEquals(2, QualifiedName.class.getRecordComponents().length, "a new component must join equals");
    }

    private static ForeignKey key(String name, QualifiedName child, String childColumn, QualifiedName parent,
                                  String parentColumn, boolean... flags) {
        return new ForeignKey(name, child, List.of(childColumn), parent, List.of(parentColumn), flags[0], flags[1],
                flags[2], flags[3]);
    }

    @Test
    void foreignKeysCompareEveryComponent() {
        ForeignKey base = key("fk", B, "a_id", A, "id", false, true, true, false);
        ForeignKey same = key("fk", B, "a_id", A, "id", false, true, true, false);
        assertEquals(base, same);
        assertEquals(base.hashCode(), same.hashCode());
        List<ForeignKey> changed = List.of(
                key("fk2", B, "a_id", A, "id", false, true, true, false),
                key("fk", A, "a_id", A, "id", false, true, true, false),
                key("fk", B, "b_id", A, "id", false, true, true, false),
                key("fk", B, "a_id", B, "id", false, true, true, false),
                key("fk", B, "a_id", A, "no", false, true, true, false),
                key("fk", B, "a_id", A, "id", true, true, true, false),
                key("fk", B, "a_id", A, "id", false, false, true, false),
                key("fk", B, "a_id", A, "id", false, true, false, false),
                key("fk", B, "a_id", A, "id", false, true, true, true));
        changed.forEach(k -> assertNotEquals(base, k, k::toString));
        assertEquals(changed.size(), ForeignKey.class.getRecordComponents().length, "a new component must join equals");
    }
}
