package io.pgsubset.subset;

import io.pgsubset.catalog.QualifiedName;

import java.util.List;
import java.util.Optional;

/**
 * The closure's result: the exact rows of every table, what each foreign-key edge contributed, and
 * the closure's steps in the order they ran (with their wall times).
 */
public record Subset(List<TableSubset> tables, List<EdgeStat> edges, List<Round> rounds) {
    public Subset {
        tables = List.copyOf(tables);
        edges = List.copyOf(edges);
        rounds = List.copyOf(rounds);
    }

    public Optional<TableSubset> table(QualifiedName name) {
        return tables.stream().filter(t -> t.plan().table().equals(name)).findFirst();
    }

    public long totalRows() {
        return tables.stream().mapToLong(TableSubset::rows).sum();
    }
}
