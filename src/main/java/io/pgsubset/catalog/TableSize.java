package io.pgsubset.catalog;

/**
 * Sizes as the server reports them: total = pg_total_relation_size, heap = pg_relation_size
 * (main fork), indexes = pg_indexes_size, toast = pg_total_relation_size of the TOAST table.
 * The free-space and visibility maps are in the total only.
 */
public record TableSize(long total, long heap, long indexes, long toast) {
    public static final TableSize ZERO = new TableSize(0, 0, 0, 0);

    public TableSize plus(TableSize o) {
        return new TableSize(total + o.total, heap + o.heap, indexes + o.indexes, toast + o.toast);
    }
}
