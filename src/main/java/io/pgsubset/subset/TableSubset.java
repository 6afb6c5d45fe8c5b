package io.pgsubset.subset;

import io.pgsubset.plan.TablePlan;

import java.util.List;

/**
 * The exact rows of one table in the subset.
 *
 * @param nulledColumns columns written as NULL because they reference a skipped table
 *                      ({@code on_skipped_parent: null})
 * @param rows          the number of rows the dump will write: exact when {@code counted}, else the
 *                      planner's estimate (a full table, or children the server joins, not counted)
 * @param counted       whether {@code rows} was counted in the snapshot, so a copy must match it
 * @param roots         the rows its sample chose before the closure ran (0 for other modes)
 */
public record TableSubset(TablePlan plan, RowSelection selection, List<String> nulledColumns, long rows,
                          boolean counted, long roots) {
    public TableSubset {
        nulledColumns = List.copyOf(nulledColumns);
    }
}
