package io.pgsubset.cli;

import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.ExtensionTables;
import io.pgsubset.catalog.ForeignKey;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;
import io.pgsubset.plan.LoadedPlan;
import io.pgsubset.plan.Mode;
import io.pgsubset.plan.PlanDot;
import io.pgsubset.plan.PlanGraph;
import io.pgsubset.plan.PlanJson;
import io.pgsubset.plan.PlanWarnings;
import io.pgsubset.plan.Plans;
import io.pgsubset.plan.SampleRate;
import io.pgsubset.plan.TablePlan;
import io.pgsubset.plan.Transform;
import io.pgsubset.sizes.ByteSize;
import io.pgsubset.transform.ColumnTransform;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "explain", sortOptions = false,
        description = {"Show what a plan does: every table with its mode and why (the plan line, the unlisted "
                + "policy or the foreign-key path), and the foreign keys the closure follows downward (children of "
                + "selected rows) and upward (parents of included rows). Tables of extensions are named, with the "
                + "rows an extension configuration table's filter selects (the rows a dump carries).",
                "--graph FILE.dot writes a Graphviz graph; FILE.svg renders it with Graphviz's dot.",
                "--counts runs the subset engine as a dry run in one read-only snapshot (nothing is written): "
                        + "exact rows per table and the rows each foreign key added, downward and upward; a note for "
                        + "each every: N sample whose table has fewer than N rows (every: N takes rows N, 2N ...)."})
final class PlanExplainCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    StandardOptions standard;

    @Mixin
    ConnectionMixin connection;

    @Option(names = "--plan", paramLabel = "FILE", required = true, description = "The plan file (YAML).")
    Path plan;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text (default) or json.")
    OutputFormat format = OutputFormat.text;

    @Option(names = "--graph", paramLabel = "FILE",
            description = "Also draw the plan: FILE.dot (Graphviz source) or FILE.svg (needs Graphviz's dot on PATH).")
    Path graph;

    @Option(names = "--counts",
            description = "Also compute exact rows per table and rows added per foreign key (a dry run of the closure).")
    boolean counts;

    PlanExplainCommand(CliContext ctx) {
        this.ctx = ctx;
        this.standard = new StandardOptions(ctx);
    }

    @Override
    public Integer call() throws SQLException {
        if (graph != null && !graphName().endsWith(".dot") && !graphName().endsWith(".svg")) {
            throw new UsageException("--graph " + graph + ": the file name must end in .dot or .svg");
        }
        LoadedPlan loaded;
        ExplainCounts exact = null;
        ExtensionNotes extensions;
        try (Connection conn = connection.connector(ctx).open()) {
            if (counts) {
                exact = ExplainCounts.compute(conn, plan);
                loaded = exact.loaded();
            } else {
                loaded = Plans.load(conn, plan, CatalogReader.Sizes.EXACT);
            }
            extensions = new ExtensionNotes(ExtensionTables.counted(conn, ExtensionTables.of(loaded.catalog(),
                    loaded.plan().tables().stream().map(TablePlan::table).toList())));
        }
        PlanCheckCommand.printWarnings(ctx, loaded);
        List<PlanGraph.Edge> edges = loaded.graph().closureEdges(loaded.plan());
        if (format == OutputFormat.json) {
            Map<String, Object> out = json(loaded, edges, extensions);
            out.put("warnings", PlanWarnings.of(loaded));
            if (exact != null) {
                out.put("counts", exact.json());
            }
            Json.print(ctx.out(), out);
        } else {
            printText(loaded, edges, extensions);
            if (exact != null) {
                exact.printText(ctx.out());
            }
        }
        if (graph != null) {
            writeGraph(PlanDot.render(loaded.catalog(), loaded.plan()));
        }
        return 0;
    }

    private String graphName() {
        return graph.getFileName().toString().toLowerCase(Locale.ROOT);
    }

    private void printText(LoadedPlan loaded, List<PlanGraph.Edge> edges, ExtensionNotes extensions) {
        Catalog catalog = loaded.catalog();
        TextTable table = new TextTable(List.of("table", "mode", "settings", "size", "rows (est.)", "reason"),
                false, false, false, true, true, false);
        for (TablePlan t : loaded.plan().tables()) {
            table.row(List.of(t.table().display(), t.mode().keyword(), settings(t.mode()),
                    ByteSize.pretty(catalog.treeSize(t.table()).total()), rows(catalog.estimatedRows(t.table())),
                    t.reason()));
        }
        table.print(ctx.out());
        extensions.printText(ctx.out(), loaded.plan().tables().stream().map(TablePlan::table).toList());
        ctx.out().println();
        ctx.out().println("foreign keys the closure follows (down: children of selected rows; up: parents of "
                + "included rows):");
        if (edges.isEmpty()) {
            ctx.out().println("  none: no table is sampled or follows");
        }
        for (PlanGraph.Edge e : edges) {
            ForeignKey fk = e.foreignKey();
            String rel = fk.declared() ? "" : "  [plan relation]";
            switch (e.direction()) {
                case DOWN -> ctx.out().println("  down  " + fk.parent().display() + " -> " + fk.child().display()
                        + "  via " + fk.describe() + rel);
                case UP -> ctx.out().println("  up    " + fk.child().display() + " -> " + fk.parent().display()
                        + "  via " + fk.describe() + rel);
                case TO_SKIPPED -> ctx.out().println("  skipped parent  " + fk.describe() + "  (on_skipped_parent: "
                        + loaded.plan().onSkippedParent().name().toLowerCase(Locale.ROOT) + ")" + rel);
            }
        }
        List<String> transforms = new ArrayList<>();
        for (TablePlan t : loaded.plan().tables()) {
            t.transforms().forEach((column, tr) -> transforms.add("  " + t.table().display() + "." + column + ": "
                    + describe(tr)));
        }
        if (!transforms.isEmpty()) {
            ctx.out().println();
            ctx.out().println("transforms:");
            transforms.forEach(ctx.out()::println);
        }
        ctx.out().flush();
    }

    static String settings(Mode m) {
        List<String> parts = new ArrayList<>();
        if (m instanceof Mode.Sample s) {
            if (s.rate() instanceof SampleRate.Every e) {
                parts.add("every " + e.n());
            } else if (s.rate() instanceof SampleRate.Percent p) {
                parts.add(p.percent() + "% (seed " + p.seed() + ")");
            }
            if (!s.orderBy().isEmpty()) {
                parts.add("order_by " + String.join(", ", s.orderBy()));
            }
            s.limit().ifPresent(l -> parts.add("limit " + l));
            s.where().ifPresent(w -> parts.add("where " + w));
        } else if (m instanceof Mode.Follow f) {
            if (!f.via().isEmpty()) {
                parts.add("via " + String.join("; ", f.via().stream()
                        .map(fk -> "(" + String.join(", ", fk.childColumns()) + ")").toList()));
            }
            f.limit().ifPresent(l -> parts.add("limit " + l));
        }
        return String.join(", ", parts);
    }

    /** As the manifest records it: {@code email}, {@code constant: !}, {@code sql: left(x, 1)}. */
    private static String describe(Transform t) {
        return ColumnTransform.describe(t);
    }

    private static String rows(OptionalDouble rows) {
        return rows.isPresent() ? Long.toString(Math.round(rows.getAsDouble())) : "-";
    }

    private Map<String, Object> json(LoadedPlan loaded, List<PlanGraph.Edge> edges, ExtensionNotes extensions) {
        Map<String, Object> out = PlanJson.of(loaded.plan());
        List<Map<String, Object>> tables = new ArrayList<>();
        for (TablePlan t : loaded.plan().tables()) {
            Map<String, Object> m = PlanJson.table(t);
            m.put("total_bytes", loaded.catalog().treeSize(t.table()).total());
            OptionalDouble rows = loaded.catalog().estimatedRows(t.table());
            m.put("estimated_rows", rows.isPresent() ? Math.round(rows.getAsDouble()) : null);
            extensions.putJson(m, t.table());
            tables.add(m);
        }
        out.put("tables", tables);
        out.put("edges", edges.stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("direction", e.direction().name().toLowerCase(Locale.ROOT));
            m.putAll(PlanJson.foreignKey(e.foreignKey()));
            return m;
        }).toList());
        return out;
    }

    private void writeGraph(String dot) {
        try {
            if (graphName().endsWith(".dot")) {
                Files.writeString(graph, dot, StandardCharsets.UTF_8);
            } else {
                renderSvg(dot);
            }
        } catch (IOException e) {
            throw new PgsubsetException("could not write " + graph + ": " + e.getMessage(), e);
        }
        ctx.err().println("pgsubset: wrote " + graph);
        ctx.err().flush();
    }

    private void renderSvg(String dot) throws IOException {
        Path program = findOnPath("dot");
        Process p = new ProcessBuilder(program.toString(), "-Tsvg", "-o", graph.toString())
                .redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(dot.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new PgsubsetException("Graphviz dot did not finish within 120 s drawing " + graph);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new io.pgsubset.error.Interrupted("interrupted while Graphviz drew " + graph);
        }
        if (p.exitValue() != 0) {
            throw new PgsubsetException("Graphviz dot failed drawing " + graph + ": " + output.strip());
        }
    }

    private Path findOnPath(String name) {
        String path = ctx.env().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new PgsubsetException("--graph " + graph + " needs Graphviz's dot, which is not on PATH - install "
                + "Graphviz (apt-get install graphviz) or write the graph as a .dot file");
    }
}
