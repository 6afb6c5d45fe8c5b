package io.pgsubset.sizes;

import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.TableSize;

import java.util.List;
import java.util.OptionalLong;

/**
 * One table of the sizes report. A partitioned table's size and rows include all its
 * partitions, which are listed in {@code partitions} (each with its own subtree).
 */
public record SizeRow(QualifiedName table, boolean partitioned, TableSize size, OptionalLong estimatedRows,
                      List<SizeRow> partitions) {
    public SizeRow {
        partitions = List.copyOf(partitions);
    }
}
