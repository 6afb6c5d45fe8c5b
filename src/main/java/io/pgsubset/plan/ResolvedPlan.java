package io.pgsubset.plan;

import io.pgsubset.catalog.ForeignKey;
import io.pgsubset.catalog.QualifiedName;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A plan checked against a live catalog: one {@link TablePlan} for every table the dump covers
 * (partitions are covered by their partitioned table and do not appear), the declared relations
 * as foreign keys, and the global settings.
 *
 * @param schemas   the schemas the dump covers
 * @param relations the plan's declared foreign keys (declared = false)
 * @param maxRows   the explosion guard: stop before writing when the subset is bigger
 */
public record ResolvedPlan(List<String> schemas, List<TablePlan> tables, List<ForeignKey> relations,
                           OnSkippedParent onSkippedParent, OptionalLong maxRows) {
    public ResolvedPlan {
        schemas = List.copyOf(schemas);
        tables = List.copyOf(tables);
        relations = List.copyOf(relations);
    }

    public Optional<TablePlan> table(QualifiedName name) {
        return tables.stream().filter(t -> t.table().equals(name)).findFirst();
    }

    public Map<QualifiedName, TablePlan> byTable() {
        return tables.stream().collect(Collectors.toMap(TablePlan::table, Function.identity(), (a, b) -> a,
                java.util.LinkedHashMap::new));
    }

    /** Tables per mode keyword, for one-line summaries. */
    public Map<String, Long> countByMode() {
        return tables.stream().collect(Collectors.groupingBy(t -> t.mode().keyword(), java.util.TreeMap::new,
                Collectors.counting()));
    }
}
