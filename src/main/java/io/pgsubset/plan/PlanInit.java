package io.pgsubset.plan;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.ExtensionTables;
import io.pgsubset.catalog.ForeignKey;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.Table;
import io.pgsubset.sizes.ByteSize;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a starter plan from a catalog: tables over a size threshold are sampled to about a target
 * row count, the tables that reference them (directly or through others) follow, extension-owned
 * tables are skipped and the rest copied in full. Every entry carries a comment with the table's
 * size and why it got its mode.
 */
public final class PlanInit {
    /** @param schemas empty: every non-system schema */
    public record Options(long sampleOverBytes, long targetRows, List<String> schemas) {
        public Options {
            schemas = List.copyOf(schemas);
            if (targetRows < 1) {
                throw new IllegalArgumentException("target rows must be at least 1");
            }
        }
    }

    private static final int COMMENT_COLUMN = 44;
    private static final Set<String> YAML_WORDS = Set.of("y", "n", "yes", "no", "on", "off", "true", "false", "null");

    private final Catalog catalog;
    private final Options options;
    private final List<Table> tables;
    private final PlanGraph graph;
    private final Set<String> schemas;
    private final Map<QualifiedName, ExtensionTables.Member> extensionTables = new HashMap<>();
    private final Map<QualifiedName, Double> plannerRows;

    private PlanInit(Catalog catalog, Options options, List<ExtensionTables.Member> extensionTables,
                     Map<QualifiedName, Double> plannerRows) {
        this.catalog = catalog;
        this.options = options;
        this.plannerRows = Map.copyOf(plannerRows);
        extensionTables.forEach(m -> this.extensionTables.put(m.table(), m));
        this.schemas = new HashSet<>(options.schemas().isEmpty() ? catalog.schemas() : options.schemas());
        this.tables = catalog.tables().stream()
                .filter(t -> schemas.contains(t.name().schema()) && !t.isPartition()).toList();
        this.graph = new PlanGraph(catalog, List.of());
    }

    /**
     * @param extensionTables the catalog's extension tables, their configuration tables' rows counted
     *                        ({@link ExtensionTables#counted}), for the comments
     * @param plannerRows     the planner's row estimates of the tables {@link #unanalyzed} names
     */
    public static String write(Catalog catalog, Options options, List<ExtensionTables.Member> extensionTables,
                               Map<QualifiedName, Double> plannerRows) {
        return new PlanInit(catalog, options, extensionTables, plannerRows).render();
    }

    /**
     * The tables over the size threshold (those a plan may sample by their row count) that were
     * never analyzed, the table or one of its partitions: the catalog has no count for them, so the
     * planner's guess is asked for instead.
     */
    public static List<QualifiedName> unanalyzed(Catalog catalog, Options options) {
        PlanInit init = new PlanInit(catalog, options, List.of(), Map.of());
        return init.big().stream().filter(t -> !init.analyzed(t)).map(Table::name).toList();
    }

    private List<Table> big() {
        return tables.stream().filter(t -> !t.extensionOwnedData() && size(t) > options.sampleOverBytes()).toList();
    }

    private String render() {
        Set<QualifiedName> covered = new HashSet<>();
        tables.forEach(t -> covered.add(t.name()));
        List<Table> big = big();
        Map<QualifiedName, Map<QualifiedName, ForeignKey>> descendants = new LinkedHashMap<>();
        for (Table b : big) {
            descendants.put(b.name(), descendants(b.name(), covered));
        }
        List<Table> sampled = new ArrayList<>();
        for (Table b : big) {
            boolean below = big.stream().anyMatch(a -> a != b && descendants.get(a.name()).containsKey(b.name())
                    && (!descendants.get(b.name()).containsKey(a.name()) || before(a, b)));
            if (!below) {
                sampled.add(b);
            }
        }
        Map<QualifiedName, String> followReason = new LinkedHashMap<>();
        Set<QualifiedName> sampledNames = new HashSet<>();
        sampled.forEach(s -> sampledNames.add(s.name()));
        for (Table s : sampled) {
            for (Map.Entry<QualifiedName, ForeignKey> d : descendants.get(s.name()).entrySet()) {
                if (!sampledNames.contains(d.getKey()) && !catalog.require(d.getKey()).extensionOwnedData()) {
                    followReason.putIfAbsent(d.getKey(), "references " + render(d.getValue().parent())
                            + " via " + String.join(", ", d.getValue().childColumns())
                            + (d.getValue().parent().equals(s.name()) ? " (sampled)" : " (follows " + render(s.name()) + ")"));
                }
            }
        }
        StringBuilder out = new StringBuilder();
        header(out);
        if (!sampled.isEmpty()) {
            out.append("\nsample:\n");
            for (Table s : sampled) {
                sampleEntry(out, s);
            }
        }
        if (!followReason.isEmpty()) {
            out.append("\nfollow:\n");
            for (Table t : tables) {
                if (followReason.containsKey(t.name())) {
                    line(out, "  " + yaml(render(t.name())) + ": {}", pretty(t) + ": " + followReason.get(t.name()));
                }
            }
        }
        List<Table> full = tables.stream().filter(t -> !t.extensionOwnedData() && !sampledNames.contains(t.name())
                && !followReason.containsKey(t.name())).toList();
        if (!full.isEmpty()) {
            out.append("\nfull:\n");
            for (Table t : full) {
                line(out, "  - " + yaml(render(t.name())), pretty(t) + ": " + (big.contains(t)
                        ? "over " + ByteSize.pretty(options.sampleOverBytes()) + " but not sampled" : "at most "
                        + ByteSize.pretty(options.sampleOverBytes()) + ", copied whole")
                        + (t.extension().isPresent() ? "; " + extensionRows(t) : ""));
            }
        }
        List<Table> skipped = tables.stream().filter(Table::extensionOwnedData).toList();
        if (!skipped.isEmpty()) {
            out.append("\nskip:\n");
            for (Table t : skipped) {
                line(out, "  - " + yaml(render(t.name())), extensionRows(t));
            }
        }
        return out.toString();
    }

    /** What a dump does with the rows of a table of an extension. */
    private String extensionRows(Table t) {
        return extensionTables.getOrDefault(t.name(), ExtensionTables.Member.of(t)).describe();
    }

    private void header(StringBuilder out) {
        out.append("# pgsubset plan for database ").append(catalog.server().database())
                .append(" (PostgreSQL ").append(catalog.server().version()).append("), written by pgsubset plan init.\n")
                .append("# Tables over ").append(ByteSize.pretty(options.sampleOverBytes()))
                .append(" are sampled to about ").append(options.targetRows())
                .append(" rows; the tables that reference them follow; the rest are copied whole.\n")
                .append("# Check it with: pgsubset plan check --plan FILE; see what it does: pgsubset plan explain --plan FILE\n")
                .append("version: 1\n");
        if (!options.schemas().isEmpty()) {
            out.append("schemas: [").append(String.join(", ", options.schemas().stream()
                    .map(s -> yaml(NamePattern.renderPart(s))).toList())).append("]\n");
        }
        line(out, "unlisted: auto", "tables created later: follow if they reference a sampled table, else full");
    }

    private void sampleEntry(StringBuilder out, Table t) {
        long rows = Math.round(estimatedRows(t));
        String estimate = analyzed(t) ? " rows (est.)" : " rows (the planner's guess: never analyzed)";
        line(out, "  " + yaml(render(t.name())) + ":", pretty(t) + ", ~" + rows + estimate + ": over "
                + ByteSize.pretty(options.sampleOverBytes()));
        if (t.identityColumns().isPresent()) {
            // ceil: rows N, 2N ... of the key order are floor(rows / N) rows, never more than the target
            long every = Math.max(1, (rows + options.targetRows() - 1) / options.targetRows());
            line(out, "    every: " + every, "rows " + every + ", " + 2 * every + " ... by "
                    + String.join(", ", t.identityColumns().get()) + ": about " + rows / every + " rows");
        } else {
            double percent = rows <= 0 ? 100 : Math.min(100, 100.0 * options.targetRows() / rows);
            String text = String.format(Locale.ROOT, "%.4g", Math.max(percent, 0.0001)).replaceAll("\\.?0+$", "");
            if (text.contains("e")) {
                text = "0.0001";
            }
            line(out, "    percent: " + text, "no primary key to order by: a hashed, seeded sample");
        }
        line(out, "    limit: " + options.targetRows(), "never more than --target-rows");
    }

    /** Tables referencing {@code root} directly or through others, each with the key that reaches it first. */
    private Map<QualifiedName, ForeignKey> descendants(QualifiedName root, Set<QualifiedName> covered) {
        Map<QualifiedName, ForeignKey> out = new LinkedHashMap<>();
        Deque<QualifiedName> queue = new ArrayDeque<>(List.of(root));
        while (!queue.isEmpty()) {
            QualifiedName parent = queue.poll();
            for (ForeignKey fk : graph.to(parent)) {
                QualifiedName child = fk.child();
                if (!child.equals(root) && covered.contains(child) && !out.containsKey(child)) {
                    out.put(child, fk);
                    queue.add(child);
                }
            }
        }
        return out;
    }

    /** In a cycle of big tables, the bigger one (then the first by name) is sampled. */
    private boolean before(Table a, Table b) {
        int bySize = Long.compare(size(b), size(a));
        return bySize != 0 ? bySize < 0 : a.name().compareTo(b.name()) < 0;
    }

    private long size(Table t) {
        return catalog.treeSize(t.name()).total();
    }

    /** reltuples of the table ({@link Catalog#estimatedRows}); for a table never analyzed, the planner's guess. */
    private double estimatedRows(Table t) {
        if (!analyzed(t)) {
            return plannerRows.getOrDefault(t.name(), 0.0);
        }
        return catalog.estimatedRows(t.name()).orElse(0);
    }

    /** Whether every table that holds its rows (itself, or its leaf partitions) was analyzed. */
    private boolean analyzed(Table t) {
        return catalog.rowHolders(t.name()).stream().allMatch(l -> l.estimatedRows().isPresent());
    }

    private String pretty(Table t) {
        return ByteSize.pretty(size(t));
    }

    private String render(QualifiedName name) {
        long same = tables.stream().filter(t -> t.name().name().equals(name.name())).count();
        return NamePattern.render(name, same > 1);
    }

    /** A plain YAML scalar when safe, else single-quoted. */
    static String yaml(String s) {
        if (s.matches("[A-Za-z_][A-Za-z0-9_.]*") && !YAML_WORDS.contains(s.toLowerCase(Locale.ROOT))) {
            return s;
        }
        return "'" + s.replace("'", "''") + "'";
    }

    private static void line(StringBuilder out, String text, String comment) {
        out.append(text);
        out.append(" ".repeat(Math.max(1, COMMENT_COLUMN - text.length())));
        out.append("# ").append(comment.replace('\n', ' ')).append('\n');
    }
}
