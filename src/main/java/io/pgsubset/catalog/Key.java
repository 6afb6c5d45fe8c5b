package io.pgsubset.catalog;

import java.util.List;

/** A primary key or UNIQUE constraint (or unique index without predicate or expressions). */
public record Key(String name, List<String> columns, boolean primary) {
    public Key {
        columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("key " + name + " has no columns");
        }
    }
}
