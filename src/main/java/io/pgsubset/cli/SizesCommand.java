package io.pgsubset.cli;

import io.pgsubset.catalog.ExtensionTables;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.TableSize;
import io.pgsubset.connect.Connector;
import io.pgsubset.error.UsageException;
import io.pgsubset.plan.PlanFile;
import io.pgsubset.plan.PlanLoader;
import io.pgsubset.plan.Plans;
import io.pgsubset.subset.Closure;
import io.pgsubset.subset.DryRun;
import io.pgsubset.sizes.ByteSize;
import io.pgsubset.sizes.SizeRow;
import io.pgsubset.sizes.SizesQuery;
import io.pgsubset.sizes.SizesReport;
import io.pgsubset.sizes.SizesRequest;
import io.pgsubset.sql.Ident;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

@Command(name = "sizes", sortOptions = false,
        description = {"Table sizes, largest first: total, heap, indexes, TOAST and estimated rows.",
                "A partitioned table counts all its partitions. Sizes are those of pg_total_relation_size, "
                        + "pg_relation_size (main fork), pg_indexes_size and the TOAST table's total size.",
                "Tables of extensions are named below the table: those an extension owns (no rows in a dump) and "
                        + "its configuration tables, with the rows their filter selects (the rows a dump carries).",
                "With --plan, also each table's mode, the exact rows the plan selects and their estimated bytes "
                        + "(heap + TOAST per row), computed by the subset engine in one read-only snapshot."})
final class SizesCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    StandardOptions standard;

    @Mixin
    ConnectionMixin connection;

    @Option(names = {"-n", "--schema"}, paramLabel = "SCHEMA", description = "Only tables in this schema (repeatable).")
    List<String> schemas = new ArrayList<>();

    @Option(names = "--min-size", paramLabel = "SIZE", description = "Only tables at least this big, e.g. 100MB.")
    String minSize;

    @Option(names = "--limit", paramLabel = "N", description = "Only the N largest tables.")
    Integer limit;

    @Option(names = "--partitions", description = "List the partitions under each partitioned table.")
    boolean partitions;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text (default) or json (sizes in bytes).")
    OutputFormat format = OutputFormat.text;

    @Option(names = "--plan", paramLabel = "PLAN.yaml",
            description = "Also show the planned rows and bytes per table and in total (a dry run: nothing is written).")
    Path plan;

    private Map<QualifiedName, DryRun.PlannedTable> planned = Map.of();
    private List<String> notes = List.of();
    private ExtensionNotes extensions = new ExtensionNotes(List.of());

    SizesCommand(CliContext ctx) {
        this.ctx = ctx;
        this.standard = new StandardOptions(ctx);
    }

    @Override
    public Integer call() throws SQLException {
        if (limit != null && limit < 1) {
            throw new UsageException("--limit must be at least 1, got " + limit);
        }
        SizesRequest request = new SizesRequest(schemas, minSize == null ? 0 : ByteSize.parse(minSize),
                limit == null ? OptionalInt.empty() : OptionalInt.of(limit));
        Connector connector = connection.connector(ctx);
        SizesReport report;
        planned = Map.of();
        notes = List.of();
        try (Connection conn = connector.open()) {
            conn.setReadOnly(true);
            report = SizesQuery.run(conn, request);
            extensions = new ExtensionNotes(ExtensionTables.counted(conn, listedOnly(report,
                    ExtensionTables.read(conn))));
            if (plan != null) {
                PlanFile file = PlanLoader.load(plan);
                DryRun.Report dry = DryRun.run(conn, (c, catalog) -> Plans.resolve(c, file, catalog).plan(),
                        Closure.Options.defaults());
                planned = new LinkedHashMap<>();
                notes = dry.notes();
                for (DryRun.PlannedTable t : dry.tables()) {
                    planned.put(t.table(), t);
                }
            }
        }
        if (format == OutputFormat.json) {
            Json.print(ctx.out(), json(report));
        } else {
            printText(report);
        }
        return 0;
    }

    private void printText(SizesReport report) {
        List<String> headers = new ArrayList<>(List.of("schema", "table", "total", "heap", "indexes", "toast",
                "rows (est.)"));
        if (plan != null) {
            headers.addAll(List.of("mode", "planned rows", "planned bytes"));
        }
        TextTable table = plan == null ? new TextTable(headers, false, false, true, true, true, true, true)
                : new TextTable(headers, false, false, true, true, true, true, true, false, true, true);
        for (SizeRow r : report.tables()) {
            addRow(table, r, 0);
        }
        table.separator();
        List<String> total = new ArrayList<>(List.of("", "total (" + report.tables().size() + " tables)",
                ByteSize.pretty(report.total().total()), ByteSize.pretty(report.total().heap()),
                ByteSize.pretty(report.total().indexes()), ByteSize.pretty(report.total().toast()),
                rows(report.totalEstimatedRows())));
        if (plan != null) {
            List<DryRun.PlannedTable> listed = plannedOf(report);
            total.addAll(List.of("", Long.toString(listed.stream().mapToLong(DryRun.PlannedTable::rows).sum()),
                    ByteSize.pretty(listed.stream().mapToLong(t -> t.estimatedBytes().orElse(0)).sum())));
        }
        table.row(total);
        table.print(ctx.out());
        ExplainCounts.printNotes(ctx.out(), notes);
        extensions.printText(ctx.out(), report.tables().stream().map(SizeRow::table).toList());
    }

    /** The extension tables the report lists (only those are counted). */
    private static List<ExtensionTables.Member> listedOnly(SizesReport report, List<ExtensionTables.Member> all) {
        java.util.Set<QualifiedName> listed = new java.util.HashSet<>();
        report.tables().forEach(r -> listed.add(r.table()));
        return all.stream().filter(m -> listed.contains(m.table())).toList();
    }

    /** The planned tables among the listed ones (the top level: partitions count in their root). */
    private List<DryRun.PlannedTable> plannedOf(SizesReport report) {
        return report.tables().stream().map(r -> planned.get(r.table())).filter(java.util.Objects::nonNull).toList();
    }

    private List<String> plannedCells(SizeRow r, int depth) {
        DryRun.PlannedTable t = depth == 0 ? planned.get(r.table()) : null;
        if (t == null) {
            return List.of("", "", "");
        }
        return List.of(t.mode(), Long.toString(t.rows()),
                t.estimatedBytes().isPresent() ? ByteSize.pretty(t.estimatedBytes().getAsLong()) : "-");
    }

    private void addRow(TextTable table, SizeRow r, int depth) {
        String name = "  ".repeat(depth) + (depth > 0 ? "- " : "") + displayName(r.table().name())
                + (r.partitioned() ? " (partitioned, " + r.partitions().size() + " partitions)" : "");
        TableSize s = r.size();
        List<String> cells = new ArrayList<>(List.of(r.table().schema(), name, ByteSize.pretty(s.total()),
                ByteSize.pretty(s.heap()), ByteSize.pretty(s.indexes()), ByteSize.pretty(s.toast()),
                rows(r.estimatedRows())));
        if (plan != null) {
            cells.addAll(plannedCells(r, depth));
        }
        table.row(cells);
        if (partitions) {
            for (SizeRow p : r.partitions()) {
                addRow(table, p, depth + 1);
            }
        }
    }

    private static String displayName(String name) {
        return Ident.isPlain(name) ? name : '"' + name.replace("\"", "\"\"") + '"';
    }

    private static String rows(OptionalLong rows) {
        return rows.isPresent() ? Long.toString(rows.getAsLong()) : "-";
    }

    private Map<String, Object> json(SizesReport report) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tables", report.tables().stream().map(this::json).toList());
        Map<String, Object> total = new LinkedHashMap<>(sizeJson(report.total(), report.totalEstimatedRows()));
        if (plan != null) {
            List<DryRun.PlannedTable> listed = plannedOf(report);
            total.put("planned_rows", listed.stream().mapToLong(DryRun.PlannedTable::rows).sum());
            total.put("planned_bytes", listed.stream().mapToLong(t -> t.estimatedBytes().orElse(0)).sum());
        }
        out.put("total", total);
        if (plan != null) {
            out.put("notes", notes);
        }
        return out;
    }

    private Map<String, Object> json(SizeRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", r.table().schema());
        m.put("table", r.table().name());
        m.put("partitioned", r.partitioned());
        m.putAll(sizeJson(r.size(), r.estimatedRows()));
        extensions.putJson(m, r.table());
        DryRun.PlannedTable t = planned.get(r.table());
        if (plan != null && t != null) {
            m.put("mode", t.mode());
            m.put("planned_rows", t.rows());
            m.put("planned_bytes", t.estimatedBytes().isPresent() ? t.estimatedBytes().getAsLong() : null);
        }
        if (partitions && r.partitioned()) {
            m.put("partitions", r.partitions().stream().map(this::json).toList());
        }
        return m;
    }

    private static Map<String, Object> sizeJson(TableSize s, OptionalLong rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total_bytes", s.total());
        m.put("heap_bytes", s.heap());
        m.put("index_bytes", s.indexes());
        m.put("toast_bytes", s.toast());
        m.put("estimated_rows", rows.isPresent() ? rows.getAsLong() : null);
        return m;
    }
}
