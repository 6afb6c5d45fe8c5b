package io.pgsubset.sizes;

import io.pgsubset.catalog.TableSize;

import java.util.List;
import java.util.OptionalLong;

/** Tables largest first, and the totals of the tables listed. */
public record SizesReport(List<SizeRow> tables, TableSize total, OptionalLong totalEstimatedRows) {
    public SizesReport {
        tables = List.copyOf(tables);
    }

    static SizesReport of(List<SizeRow> rows) {
        TableSize total = TableSize.ZERO;
        long estimated = 0;
        boolean anyEstimate = false;
        for (SizeRow r : rows) {
            total = total.plus(r.size());
            if (r.estimatedRows().isPresent()) {
                estimated += r.estimatedRows().getAsLong();
                anyEstimate = true;
            }
        }
        return new SizesReport(rows, total, anyEstimate ? OptionalLong.of(estimated) : OptionalLong.empty());
    }
}
