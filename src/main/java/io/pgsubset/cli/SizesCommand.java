package io.pgsubset.cli;

import io.pgsubset.catalog.TableSize;
import io.pgsubset.connect.Connector;
import io.pgsubset.error.UsageException;
import io.pgsubset.sizes.ByteSize;
import io.pgsubset.sizes.SizeRow;
import io.pgsubset.sizes.SizesQuery;
import io.pgsubset.sizes.SizesReport;
import io.pgsubset.sizes.SizesRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
                        + "pg_relation_size (main fork), pg_indexes_size and the TOAST table's total size."})
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
        try (Connection conn = connector.open()) {
            conn.setReadOnly(true);
            report = SizesQuery.run(conn, request);
        }
        if (format == OutputFormat.json) {
            Json.print(ctx.out(), json(report));
        } else {
            printText(report);
        }
        return 0;
    }

    private void printText(SizesReport report) {
        TextTable table = new TextTable(List.of("schema", "table", "total", "heap", "indexes", "toast", "rows (est.)"),
                false, false, true, true, true, true, true);
        for (SizeRow r : report.tables()) {
            addRow(table, r, 0);
        }
        table.separator();
        table.row(List.of("", "total (" + report.tables().size() + " tables)", ByteSize.pretty(report.total().total()),
                ByteSize.pretty(report.total().heap()), ByteSize.pretty(report.total().indexes()),
                ByteSize.pretty(report.total().toast()), rows(report.totalEstimatedRows())));
        table.print(ctx.out());
    }

    private void addRow(TextTable table, SizeRow r, int depth) {
        String name = "  ".repeat(depth) + (depth > 0 ? "- " : "") + displayName(r.table().name())
                + (r.partitioned() ? " (partitioned, " + r.partitions().size() + " partitions)" : "");
        TableSize s = r.size();
        table.row(List.of(r.table().schema(), name, ByteSize.pretty(s.total()), ByteSize.pretty(s.heap()),
                ByteSize.pretty(s.indexes()), ByteSize.pretty(s.toast()), rows(r.estimatedRows())));
        if (partitions) {
            for (SizeRow p : r.partitions()) {
                addRow(table, p, depth + 1);
            }
        }
    }

    private static String displayName(String name) {
        return name.matches("[a-z_][a-z0-9_$]*") ? name : '"' + name.replace("\"", "\"\"") + '"';
    }

    private static String rows(OptionalLong rows) {
        return rows.isPresent() ? Long.toString(rows.getAsLong()) : "-";
    }

    private Map<String, Object> json(SizesReport report) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tables", report.tables().stream().map(this::json).toList());
        out.put("total", sizeJson(report.total(), report.totalEstimatedRows()));
        return out;
    }

    private Map<String, Object> json(SizeRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", r.table().schema());
        m.put("table", r.table().name());
        m.put("partitioned", r.partitioned());
        m.putAll(sizeJson(r.size(), r.estimatedRows()));
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
