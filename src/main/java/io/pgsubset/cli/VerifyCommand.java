package io.pgsubset.cli;

import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.verify.Check;
import io.pgsubset.verify.Verifier;
import io.pgsubset.verify.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "verify", sortOptions = false,
        description = {"Check a restored database against a dump's manifest.",
                "Per table: the row count and an order-independent digest of the rows (recomputed from a COPY of "
                        + "the table) equal the dump's. Every foreign key holds, NOT VALID ones included, and none "
                        + "of the dump's is missing. Every sequence is at least as far as in the dump. Every "
                        + "materialized view is populated exactly when it was in the source (its rows reported).",
                "Exit 1 on any difference, naming the table and what differs."})
final class VerifyCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    StandardOptions standard;

    @Mixin
    ConnectionMixin connection;

    @Parameters(index = "0", paramLabel = "DIR", description = "The dump directory (with manifest.json).")
    Path dir;

    @Mixin
    ReportOptions output;

    VerifyCommand(CliContext ctx) {
        this.ctx = ctx;
        this.standard = new StandardOptions(ctx);
    }

    @Override
    public Integer call() throws SQLException {
        Manifest manifest = ManifestIO.read(dir);
        VerifyReport report;
        try (Connection conn = connection.connector(ctx).open()) {
            conn.setReadOnly(true);
            report = new Verifier(conn, this::progress).run(manifest, dir);
        }
        if (output.json()) {
            Json.print(ctx.out(), json(report));
        } else {
            TextTable table = new TextTable(List.of("check", "object", "result", "detail"), false, false, false, false);
            for (Check c : report.checks()) {
                table.row(List.of(c.kind().label(), c.object(), c.ok() ? "ok" : "DIFFERS", c.detail()));
            }
            table.print(ctx.out());
            ctx.out().printf(Locale.ROOT, "%d checks, %d differences%n", report.checks().size(),
                    report.differences().size());
            ctx.out().flush();
        }
        if (!report.ok()) {
            List<Check> diffs = report.differences();
            throw new PgsubsetException("\"" + report.database() + "\" differs from the dump in " + diffs.size()
                    + " checks: " + diffs.stream().limit(5).map(c -> c.kind().label() + " " + c.object() + ": "
                    + c.detail()).collect(Collectors.joining("; ")) + (diffs.size() > 5 ? "; ..." : ""));
        }
        return 0;
    }

    private void progress(String table, long rows, long millis) {
        if (!output.quiet) {
            ctx.err().printf(Locale.ROOT, "pgsubset: read %s: %d rows in %.1f s%n", table, rows, millis / 1000.0);
            ctx.err().flush();
        }
    }

    private static Map<String, Object> json(VerifyReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("database", report.database());
        m.put("ok", report.ok());
        m.put("differences", report.differences().size());
        m.put("checks", report.checks().stream().map(c -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("kind", c.kind().label());
            row.put("object", c.object());
            row.put("ok", c.ok());
            row.put("detail", c.detail());
            return row;
        }).toList());
        return m;
    }
}
