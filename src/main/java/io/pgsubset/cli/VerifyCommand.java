package io.pgsubset.cli;

import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.error.UsageException;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.manifest.ScriptManifest;
import io.pgsubset.verify.Check;
import io.pgsubset.verify.Verifier;
import io.pgsubset.verify.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "verify", sortOptions = false,
        description = {"Check a restored database against a dump's manifest (a dump directory's, or the one in the "
                + "comments of a dump --format sql script: --manifest-from FILE).",
                "Per table: the row count and an order-independent digest of the rows (recomputed from a COPY of "
                        + "the table) equal the dump's. Every foreign key holds, NOT VALID ones included, and none "
                        + "of the dump's is missing. Every sequence is at least as far as in the dump. Every "
                        + "materialized view is populated exactly when it was in the source (its rows reported).",
                "The database's encoding, locale (LC_COLLATE, LC_CTYPE, provider), settings and comment are "
                        + "compared with the source's too; a difference there is a warning.",
                "Exit 0 when the data matches (warnings are printed), 1 on any difference in the data, naming the "
                        + "table and what differs; with --strict, 3 when the data matches but there are warnings."})
final class VerifyCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    StandardOptions standard;

    @Mixin
    ConnectionMixin connection;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The dump directory (with manifest.json).")
    Path dir;

    @Option(names = "--manifest-from", paramLabel = "FILE", description = "Instead of DIR: a SQL script of dump "
            + "--format sql (plain or gzipped), whose comments carry the manifest and whose post-data names the "
            + "foreign keys.")
    Path script;

    @Mixin
    ReportOptions output;

    @Option(names = "--strict", description = "Exit 3 when the data matches but the database's encoding, locale, "
            + "settings or comment differ from the source's (default: exit 0 and print them as warnings).")
    boolean strict;

    /** The data matches, the database itself differs from the source's (--strict). */
    static final int EXIT_WARNINGS = 3;

    VerifyCommand(CliContext ctx) {
        this.ctx = ctx;
        this.standard = new StandardOptions(ctx);
    }

    @Override
    public Integer call() throws SQLException {
        if ((dir == null) == (script == null)) {
            throw new UsageException("give the dump directory (DIR) or a SQL script (--manifest-from FILE), one of them");
        }
        Optional<ScriptManifest.Contents> fromScript = Optional.ofNullable(script).map(ScriptManifest::read);
        Manifest manifest = fromScript.map(ScriptManifest.Contents::manifest).orElseGet(() -> ManifestIO.read(dir));
        VerifyReport report;
        try (Connection conn = connection.connector(ctx).open()) {
            conn.setReadOnly(true);
            Verifier verifier = new Verifier(conn, this::progress);
            report = fromScript.isPresent() ? verifier.run(manifest, fromScript.get().postData())
                    : verifier.run(manifest, dir);
        }
        if (output.json()) {
            Json.print(ctx.out(), json(report));
        } else {
            TextTable table = new TextTable(List.of("check", "object", "result", "detail"), false, false, false, false);
            for (Check c : report.checks()) {
                table.row(List.of(c.kind().label(), c.object(),
                        c.ok() ? "ok" : c.kind() == Check.Kind.DATABASE ? "WARNING" : "DIFFERS", c.detail()));
            }
            table.print(ctx.out());
            ctx.out().printf(Locale.ROOT, "%d checks, %d differences, %d warnings%n", report.checks().size(),
                    report.differences().size(), report.warnings().size());
            ctx.out().flush();
        }
        for (Check w : report.warnings()) {
            ctx.err().println("pgsubset: warning: the database's " + w.object() + " is " + w.detail());
        }
        ctx.err().flush();
        if (!report.ok()) {
            List<Check> diffs = report.differences();
            throw new PgsubsetException("\"" + report.database() + "\" differs from the dump in " + diffs.size()
                    + " checks: " + diffs.stream().limit(5).map(c -> c.kind().label() + " " + c.object() + ": "
                    + c.detail()).collect(Collectors.joining("; ")) + (diffs.size() > 5 ? "; ..." : ""));
        }
        return strict && !report.warnings().isEmpty() ? EXIT_WARNINGS : 0;
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
        m.put("warnings", report.warnings().size());
        m.put("checks", report.checks().stream().map(c -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("kind", c.kind().label());
            row.put("object", c.object());
            row.put("ok", c.ok());
            row.put("warning", !c.ok() && c.kind() == Check.Kind.DATABASE);
            row.put("detail", c.detail());
            return row;
        }).toList());
        return m;
    }
}
