package io.pgsubset.subset;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.ForeignKey;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.Table;
import io.pgsubset.plan.Mode;
import io.pgsubset.plan.OnSkippedParent;
import io.pgsubset.plan.ResolvedPlan;
import io.pgsubset.plan.SampleRate;
import io.pgsubset.plan.TablePlan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Builds resolved plans for engine tests directly (no YAML): unlisted tables are full. */
final class Plans {
    private final Catalog catalog;
    private final Map<QualifiedName, Mode> modes = new LinkedHashMap<>();
    private final List<ForeignKey> relations = new ArrayList<>();
    private OnSkippedParent onSkippedParent = OnSkippedParent.ERROR;
    private OptionalLong maxRows = OptionalLong.empty();

    private Plans(Catalog catalog) {
        this.catalog = catalog;
    }

    static Plans on(Catalog catalog) {
        return new Plans(catalog);
    }

    static QualifiedName name(String table) {
        return table.contains(".") ? new QualifiedName(table.substring(0, table.indexOf('.')),
                table.substring(table.indexOf('.') + 1)) : new QualifiedName("public", table);
    }

    Plans mode(String table, Mode mode) {
        modes.put(name(table), mode);
        return this;
    }

    Plans every(String table, long n) {
        return mode(table, new Mode.Sample(new SampleRate.Every(n), List.of(), OptionalLong.empty(), Optional.empty()));
    }

    Plans sample(String table, SampleRate rate, List<String> orderBy, Long limit, String where) {
        return mode(table, new Mode.Sample(rate, orderBy, limit == null ? OptionalLong.empty() : OptionalLong.of(limit),
                Optional.ofNullable(where)));
    }

    Plans follow(String table) {
        return mode(table, new Mode.Follow(List.of(), OptionalLong.empty()));
    }

    Plans follow(String table, Long limit, String... viaConstraintNames) {
        List<ForeignKey> via = new ArrayList<>();
        for (String v : viaConstraintNames) {
            via.add(allKeys().stream().filter(fk -> fk.name().equals(v)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no foreign key " + v)));
        }
        return mode(table, new Mode.Follow(via, limit == null ? OptionalLong.empty() : OptionalLong.of(limit)));
    }

    Plans skip(String table) {
        return mode(table, new Mode.Skip());
    }

    Plans full(String table) {
        return mode(table, new Mode.Full());
    }

    Plans relation(String name, String child, List<String> childColumns, String parent, List<String> parentColumns) {
        relations.add(new ForeignKey(name, name(child), childColumns, name(parent), parentColumns, false, true, false));
        return this;
    }

    Plans onSkippedParent(OnSkippedParent value) {
        onSkippedParent = value;
        return this;
    }

    Plans maxRows(long value) {
        maxRows = OptionalLong.of(value);
        return this;
    }

    private List<ForeignKey> allKeys() {
        List<ForeignKey> all = new ArrayList<>(catalog.foreignKeys());
        all.addAll(relations);
        return all;
    }

    ResolvedPlan build() {
        List<TablePlan> tables = new ArrayList<>();
        for (Table t : catalog.tables()) {
            if (t.isPartition()) {
                continue;
            }
            Mode mode = modes.getOrDefault(t.name(), new Mode.Full());
            tables.add(new TablePlan(t.name(), mode, "test"));
        }
        return new ResolvedPlan(catalog.schemas(), tables, relations, onSkippedParent, maxRows);
    }
}
