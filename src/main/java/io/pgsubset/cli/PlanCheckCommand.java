package io.pgsubset.cli;

import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.plan.LoadedPlan;
import io.pgsubset.plan.PlanWarnings;
import io.pgsubset.plan.Plans;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "check", sortOptions = false,
        description = {"Check a plan against the live catalog: names, globs, columns, foreign keys, relations, "
                + "every where: filter (EXPLAINed) and every transform (tried on a few rows, cast to its column's "
                + "type) in a read-only transaction; transformed keys must stay unique and match across foreign keys.",
                "Exit 0 with a one-line summary, or exit 2 with every problem, one per line: "
                        + "FILE:LINE:COLUMN: what is wrong - the fix. Among them: on_skipped_parent: null with a NOT "
                        + "NULL column referencing a skipped table from a table that holds rows.",
                "Warnings (exit stays 0) on stderr: a follow table whose via names only foreign keys into tables "
                        + "that are neither sampled nor following."})
final class PlanCheckCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    StandardOptions standard;

    @Mixin
    ConnectionMixin connection;

    @Option(names = "--plan", paramLabel = "FILE", required = true, description = "The plan file (YAML).")
    Path plan;

    PlanCheckCommand(CliContext ctx) {
        this.ctx = ctx;
        this.standard = new StandardOptions(ctx);
    }

    @Override
    public Integer call() throws SQLException {
        LoadedPlan loaded;
        try (Connection conn = connection.connector(ctx).open()) {
            loaded = Plans.load(conn, plan, CatalogReader.Sizes.ESTIMATED);
        }
        printWarnings(ctx, loaded);
        ctx.out().println(plan + ": ok, " + summary(loaded.plan().countByMode()));
        ctx.out().flush();
        return 0;
    }

    /** The plan's {@link PlanWarnings}, one {@code pgsubset: warning: } line each on stderr. */
    static void printWarnings(CliContext ctx, LoadedPlan loaded) {
        PlanWarnings.of(loaded).forEach(w -> ctx.err().println("pgsubset: warning: " + w));
        ctx.err().flush();
    }

    /** {@code 12 tables: 1 sample, 3 follow, 6 full, 2 skip}. */
    static String summary(Map<String, Long> byMode) {
        long total = byMode.values().stream().mapToLong(Long::longValue).sum();
        String parts = java.util.stream.Stream.of("sample", "follow", "full", "skip")
                .map(m -> byMode.getOrDefault(m, 0L) + " " + m)
                .collect(Collectors.joining(", "));
        return total + (total == 1 ? " table: " : " tables: ") + parts;
    }
}
