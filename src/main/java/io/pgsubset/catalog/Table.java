package io.pgsubset.catalog;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * A table as the catalog describes it.
 *
 * @param partitionOf      the partitioned table this one is a partition of
 * @param partitions       the direct partitions of a partitioned table
 * @param inheritsFrom     classic inheritance parents (not partitioning)
 * @param extension        the extension that owns this table, if any
 * @param extensionConfig  whether that extension marks it as configuration (pg_extension_config_dump),
 *                         so its rows (those matching {@code extensionConfigFilter}) are user data
 * @param estimatedRows    reltuples, empty when the table was never analyzed
 * @param size             this relation's own size; a partitioned table's rows live in its partitions
 */
public record Table(QualifiedName name, long oid, TableKind kind, List<Column> columns, Optional<Key> primaryKey,
                    List<Key> uniqueKeys, Optional<QualifiedName> partitionOf, List<QualifiedName> partitions,
                    List<QualifiedName> inheritsFrom, Optional<String> extension, boolean extensionConfig,
                    Optional<String> extensionConfigFilter, OptionalDouble estimatedRows, TableSize size,
                    boolean unlogged) {
    public Table {
        Objects.requireNonNull(name, "name");
        columns = List.copyOf(columns);
        uniqueKeys = List.copyOf(uniqueKeys);
        partitions = List.copyOf(partitions);
        inheritsFrom = List.copyOf(inheritsFrom);
    }

    public Optional<Column> column(String columnName) {
        return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
    }

    /** The columns a dump writes, in table order: all but generated ones. */
    public List<Column> dumpedColumns() {
        return columns.stream().filter(Column::dumped).toList();
    }

    public List<String> dumpedColumnNames() {
        return dumpedColumns().stream().map(Column::name).toList();
    }

    public boolean isPartition() {
        return partitionOf.isPresent();
    }

    public boolean isPartitioned() {
        return kind == TableKind.PARTITIONED;
    }

    /** Owned by an extension and not one of its configuration tables: its rows come with CREATE EXTENSION. */
    public boolean extensionOwnedData() {
        return extension.isPresent() && !extensionConfig;
    }

    /**
     * The condition (without its leading WHERE) that selects the rows of an extension configuration
     * table that are user data: {@code pg_extension_config_dump}'s filter, which pg_dump applies too.
     * The other rows are the extension's own, made again by CREATE EXTENSION on the target. Empty for
     * every other table, and for a configuration table whose every row is user data.
     */
    public Optional<String> extensionFilter() {
        if (!extensionConfig) {
            return Optional.empty();
        }
        return extensionConfigFilter.flatMap(Table::extensionCondition);
    }

    /** A catalog {@code extcondition} as a condition: without its leading WHERE; empty when blank. */
    static Optional<String> extensionCondition(String extcondition) {
        return Optional.of(LEADING_WHERE.matcher(extcondition).replaceFirst("").strip()).filter(s -> !s.isEmpty());
    }

    private static final Pattern LEADING_WHERE = Pattern.compile("^\\s*WHERE(?![\\w$])", Pattern.CASE_INSENSITIVE);

    /**
     * The columns that identify a row: the primary key, else the first UNIQUE key whose columns
     * are all NOT NULL; empty when the table has neither (then a snapshot's ctid identifies rows).
     */
    public Optional<List<String>> identityColumns() {
        if (primaryKey.isPresent()) {
            return Optional.of(primaryKey.get().columns());
        }
        return uniqueKeys.stream()
                .filter(k -> k.columns().stream().allMatch(c -> column(c).map(Column::notNull).orElse(false)))
                .map(Key::columns)
                .findFirst();
    }
}
