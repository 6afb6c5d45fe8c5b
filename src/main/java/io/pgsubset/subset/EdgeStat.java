package io.pgsubset.subset;

import io.pgsubset.catalog.ForeignKey;

/**
 * How many rows a foreign key added to the subset, downward (children of selected rows) or
 * upward (parents needed for integrity): why a table grew.
 */
public record EdgeStat(ForeignKey foreignKey, Direction direction, long rowsAdded) {
    public enum Direction { DOWN, UP }
}
