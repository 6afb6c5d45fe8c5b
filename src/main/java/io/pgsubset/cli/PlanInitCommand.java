package io.pgsubset.cli;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.catalog.ExtensionTables;
import io.pgsubset.catalog.PlannerEstimates;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.error.UsageException;
import io.pgsubset.files.OutputFile;
import io.pgsubset.plan.PlanInit;
import io.pgsubset.sizes.ByteSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "init", sortOptions = false,
        description = {"Write a starter plan from the live catalog: tables bigger than --sample-over are sampled "
                + "to about --target-rows rows (every: N with N = ceil(rows / target), so rows N, 2N ... of the key "
                + "order, at most the target), the tables that reference them follow, extension-owned tables are "
                + "skipped, the rest copied whole. Each line has a comment with the table's size and the reason.",
                "Review it, then: pgsubset plan check --plan FILE."})
final class PlanInitCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    StandardOptions standard;

    @Mixin
    ConnectionMixin connection;

    @Option(names = "--sample-over", paramLabel = "SIZE", description = "Sample tables bigger than this (default 1GB).")
    String sampleOver = "1GB";

    @Option(names = "--target-rows", paramLabel = "N",
            description = "About this many rows per sampled table (default 10000).")
    long targetRows = 10000;

    @Option(names = {"-n", "--schema"}, paramLabel = "SCHEMA",
            description = "Only tables in this schema (repeatable; default: every non-system schema).")
    List<String> schemas = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the plan here instead of stdout "
            + "(an existing FILE only with --force: it may hold your edits).")
    Path output;

    @Option(names = "--force", description = "Replace FILE (-o) if it exists.")
    boolean force;

    PlanInitCommand(CliContext ctx) {
        this.ctx = ctx;
        this.standard = new StandardOptions(ctx);
    }

    /** The warning for tables whose row counts are the planner's guesses. */
    static String neverAnalyzed(List<QualifiedName> tables) {
        String names = tables.stream().limit(3).map(QualifiedName::display).collect(Collectors.joining(", "))
                + (tables.size() > 3 ? ", ..." : "");
        return "pgsubset: warning: " + (tables.size() == 1 ? "1 table over --sample-over was" : tables.size()
                + " tables over --sample-over were") + " never analyzed (" + names + "): the plan's row counts of "
                + "them are the planner's guesses; run ANALYZE, then plan init again, for better ones";
    }

    @Override
    public Integer call() throws SQLException {
        if (targetRows < 1) {
            throw new UsageException("--target-rows must be at least 1, got " + targetRows);
        }
        long threshold = ByteSize.parse(sampleOver);
        if (output != null) {
            OutputFile.check(output, force, "plan");
        }
        PlanInit.Options options = new PlanInit.Options(threshold, targetRows, schemas);
        Catalog catalog;
        List<ExtensionTables.Member> extensionTables;
        Map<QualifiedName, Double> plannerRows;
        try (Connection conn = connection.connector(ctx).open()) {
            conn.setReadOnly(true);
            catalog = CatalogReader.read(conn, schemas);
            for (String s : schemas) {
                if (!catalog.schemas().contains(s)) {
                    throw new UsageException("--schema " + s + ": no such schema with tables in database "
                            + catalog.server().database());
                }
            }
            extensionTables = ExtensionTables.counted(conn, ExtensionTables.of(catalog,
                    catalog.tables().stream().map(io.pgsubset.catalog.Table::name).toList()));
            List<QualifiedName> unanalyzed = PlanInit.unanalyzed(catalog, options);
            plannerRows = PlannerEstimates.of(conn, catalog, unanalyzed);
            if (!unanalyzed.isEmpty()) {
                ctx.err().println(neverAnalyzed(unanalyzed));
                ctx.err().flush();
            }
        }
        String plan = PlanInit.write(catalog, options, extensionTables, plannerRows);
        if (output == null) {
            ctx.out().print(plan);
            ctx.out().flush();
        } else {
            OutputFile.writeWhole(output, plan);
            ctx.err().println("pgsubset: wrote " + output + "; check it with: pgsubset plan check --plan " + output);
            ctx.err().flush();
        }
        return 0;
    }
}
