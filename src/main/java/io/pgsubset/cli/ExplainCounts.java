package io.pgsubset.cli;

import io.pgsubset.plan.LoadedPlan;
import io.pgsubset.plan.PlanFile;
import io.pgsubset.plan.PlanLoader;
import io.pgsubset.plan.Plans;
import io.pgsubset.sizes.ByteSize;
import io.pgsubset.subset.Closure;
import io.pgsubset.subset.DryRun;
import io.pgsubset.subset.EdgeStat;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code plan explain --counts}: the plan loaded and the subset computed in ONE read-only snapshot
 * (nothing written): exact rows per table and the rows each foreign key added, down and up.
 */
record ExplainCounts(LoadedPlan loaded, DryRun.Report report) {
    static ExplainCounts compute(Connection conn, Path planPath) {
        PlanFile file = PlanLoader.load(planPath);
        LoadedPlan[] loaded = new LoadedPlan[1];
        DryRun.Report report = DryRun.run(conn, (c, catalog) -> {
            loaded[0] = Plans.resolve(c, file, catalog);
            return loaded[0].plan();
        }, Closure.Options.defaults());
        return new ExplainCounts(loaded[0], report);
    }

    void printText(PrintWriter out) {
        out.println();
        out.println("exact rows (computed in one read-only snapshot; nothing written):");
        TextTable table = new TextTable(List.of("table", "mode", "rows", "bytes (est.)"), false, false, true, true);
        for (DryRun.PlannedTable t : report.tables()) {
            table.row(List.of(t.table().display(), t.mode(), Long.toString(t.rows()),
                    t.estimatedBytes().isPresent() ? ByteSize.pretty(t.estimatedBytes().getAsLong()) : "-"));
        }
        table.separator();
        table.row(List.of("total (" + report.tables().size() + " tables)", "", Long.toString(report.totalRows()),
                ByteSize.pretty(report.totalEstimatedBytes())));
        table.print(out);
        printNotes(out, report.notes());
        out.println();
        out.println("rows added per foreign key (down: children of selected rows; up: parents of included rows):");
        if (report.subset().edges().isEmpty()) {
            out.println("  none");
        }
        for (EdgeStat e : report.subset().edges()) {
            out.println("  " + (e.direction() == EdgeStat.Direction.DOWN ? "down  " : "up    ")
                    + e.foreignKey().describe() + "  +" + e.rowsAdded());
        }
        out.flush();
    }

    /** The dry run's notes under its table of counts, one {@code note: } line each. */
    static void printNotes(PrintWriter out, List<String> notes) {
        notes.forEach(n -> out.println("note: " + n));
    }

    Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tables", report.tables().stream().map(t -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("schema", t.table().schema());
            m.put("table", t.table().name());
            m.put("mode", t.mode());
            m.put("rows", t.rows());
            m.put("estimated_bytes", t.estimatedBytes().isPresent() ? t.estimatedBytes().getAsLong() : null);
            return m;
        }).toList());
        out.put("edges", report.subset().edges().stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("foreign_key", e.foreignKey().name());
            m.put("edge", e.foreignKey().describe());
            m.put("direction", e.direction().name().toLowerCase(Locale.ROOT));
            m.put("rows_added", e.rowsAdded());
            return m;
        }).toList());
        out.put("notes", report.notes());
        out.put("total_rows", report.totalRows());
        out.put("total_estimated_bytes", report.totalEstimatedBytes());
        return out;
    }
}
