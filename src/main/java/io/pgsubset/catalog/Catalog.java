package io.pgsubset.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Every user table of a database with its keys, foreign keys and sequences, read in one snapshot.
 * Immutable; a class rather than a record only to keep its lookup indexes (catalogs reach
 * tens of thousands of tables).
 */
public final class Catalog {
    private final ServerInfo server;
    private final List<Table> tables;
    private final List<ForeignKey> foreignKeys;
    private final List<Sequence> sequences;
    private final Map<QualifiedName, Table> byName = new LinkedHashMap<>();
    private final Map<QualifiedName, List<ForeignKey>> byChild = new LinkedHashMap<>();
    private final Map<QualifiedName, List<ForeignKey>> byParent = new LinkedHashMap<>();

    public Catalog(ServerInfo server, List<Table> tables, List<ForeignKey> foreignKeys, List<Sequence> sequences) {
        this.server = server;
        this.tables = List.copyOf(tables);
        this.foreignKeys = List.copyOf(foreignKeys);
        this.sequences = List.copyOf(sequences);
        for (Table t : this.tables) {
            byName.put(t.name(), t);
        }
        for (ForeignKey fk : this.foreignKeys) {
            byChild.computeIfAbsent(fk.child(), k -> new ArrayList<>()).add(fk);
            byParent.computeIfAbsent(fk.parent(), k -> new ArrayList<>()).add(fk);
        }
    }

    public ServerInfo server() {
        return server;
    }

    public List<Table> tables() {
        return tables;
    }

    public List<ForeignKey> foreignKeys() {
        return foreignKeys;
    }

    public List<Sequence> sequences() {
        return sequences;
    }

    /** The same catalog with more foreign keys, e.g. the plan's declared relations. */
    public Catalog withForeignKeys(List<ForeignKey> extra) {
        List<ForeignKey> all = new ArrayList<>(foreignKeys);
        all.addAll(extra);
        return new Catalog(server, tables, all, sequences);
    }

    public Optional<Table> table(QualifiedName name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Table require(QualifiedName name) {
        Table t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no table " + name.display());
        }
        return t;
    }

    public List<ForeignKey> foreignKeysFrom(QualifiedName child) {
        return byChild.getOrDefault(child, List.of());
    }

    public List<ForeignKey> foreignKeysTo(QualifiedName parent) {
        return byParent.getOrDefault(parent, List.of());
    }

    public List<String> schemas() {
        return tables.stream().map(t -> t.name().schema()).distinct().sorted().toList();
    }

    /** The top of a partition tree: the table itself when it is not a partition. */
    public QualifiedName partitionRoot(QualifiedName name) {
        QualifiedName current = name;
        Table t = byName.get(current);
        while (t != null && t.partitionOf().isPresent()) {
            current = t.partitionOf().get();
            t = byName.get(current);
        }
        return current;
    }

    /** Every partition below a partitioned table, at any depth; empty for other tables. */
    public List<QualifiedName> allPartitions(QualifiedName name) {
        List<QualifiedName> out = new ArrayList<>();
        collectPartitions(name, out);
        return Collections.unmodifiableList(out);
    }

    private void collectPartitions(QualifiedName name, List<QualifiedName> out) {
        Table t = byName.get(name);
        if (t == null) {
            return;
        }
        for (QualifiedName p : t.partitions()) {
            out.add(p);
            collectPartitions(p, out);
        }
    }

    /**
     * The tables that hold a table's rows: the table itself, or a partitioned table's leaf
     * partitions (a partitioned table or a partition that is partitioned again holds none).
     */
    public List<Table> rowHolders(QualifiedName name) {
        Table t = require(name);
        if (!t.isPartitioned()) {
            return List.of(t);
        }
        return allPartitions(name).stream().map(byName::get).filter(p -> p != null && !p.isPartitioned()).toList();
    }

    /**
     * The table's rows as the catalog estimates them (reltuples), summed over its {@link
     * #rowHolders}; empty when none of them was ever analyzed. An analyzed partitioned table
     * holds its whole tree's count itself: adding it to its partitions' counted every row twice.
     */
    public OptionalDouble estimatedRows(QualifiedName name) {
        List<Table> holders = rowHolders(name);
        if (holders.stream().noneMatch(t -> t.estimatedRows().isPresent())) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(holders.stream().mapToDouble(t -> t.estimatedRows().orElse(0)).sum());
    }

    /** The table's size with, for a partitioned table, the sizes of all its partitions. */
    public TableSize treeSize(QualifiedName name) {
        TableSize sum = require(name).size();
        for (QualifiedName p : allPartitions(name)) {
            sum = sum.plus(require(p).size());
        }
        return sum;
    }
}
