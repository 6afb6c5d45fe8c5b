package io.pgsubset.cli;

import io.pgsubset.connect.Connector;
import io.pgsubset.database.LocaleChoice;
import io.pgsubset.restore.RestoreRequest;
import io.pgsubset.restore.RestoreResult;
import io.pgsubset.restore.RestoreResult.TableRows;
import io.pgsubset.restore.Restore;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.tools.PgProgram;
import io.pgsubset.tools.PgPrograms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "restore", sortOptions = false,
        description = {"Restore a dump directory into a database: the steps of restore.sh, in Java, with parallel "
                + "loading.",
                "Refuses the dump's own source and a non-empty target without --clean; loads pre-data, the data "
                        + "files (COPY on --jobs connections; a file of 64 MB or more on all of them at once), "
                        + "post-data, sequences, then refreshes the materialized views populated in the source; runs "
                        + "ANALYZE; prints rows per table against the manifest.",
                "Every data file's sha256 is checked as it loads (with --clean: before anything is written); "
                        + "no data is committed unless all match.",
                "--replace DB restores into a new database beside DB and swaps the names at the end: DB is never "
                        + "seen half restored, and a failed or interrupted restore leaves it untouched."})
final class RestoreCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    StandardOptions standard;

    @Mixin
    ConnectionMixin connection;

    @Parameters(index = "0", paramLabel = "DIR", description = "The dump directory (with manifest.json).")
    Path dir;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Connections loading in parallel: N tables at once, and a data file "
            + "of 64 MB or more split across all N (default: 1).")
    int jobs = 1;

    @Option(names = "--create", description = "Create the target database first, like the source's: from "
            + "template0 with its encoding and locale; its settings (ALTER DATABASE/ROLE ... SET) and comment are "
            + "applied once the data is in.")
    boolean create;

    @Option(names = "--owner", paramLabel = "ROLE",
            description = "Owner of the database --create or --replace makes; the role is created when missing. "
                    + "--replace keeps the replaced database's owner by default.")
    String owner;

    @Option(names = "--clean", description = "Restore into a non-empty target: first drop every schema (with its "
            + "content) and every extension but plpgsql, then recreate an empty public schema.")
    boolean clean;

    @Option(names = "--replace", paramLabel = "DBNAME", description = "Restore into DBNAME__pgsubset_new, then "
            + "rename DBNAME to DBNAME__pgsubset_old_<UTC time> and the new one to DBNAME in one transaction. "
            + "-d is not needed.")
    String replace;

    @Option(names = "--terminate", description = "With --replace: end the sessions on DBNAME at the swap (without "
            + "it, sessions on DBNAME make the restore fail before it starts).")
    boolean terminate;

    @Option(names = "--drop-old", description = "With --replace: drop the replaced database after the swap.")
    boolean dropOld;

    @Option(names = "--locale", paramLabel = "LOCALE", description = "With --create or --replace: make the "
            + "database with this libc locale (LC_COLLATE and LC_CTYPE) instead of the source's, e.g. when the "
            + "target server lacks it. Text then sorts by LOCALE, not as in the source.")
    String locale;

    @Option(names = "--encoding", paramLabel = "ENCODING", description = "With --create or --replace: make the "
            + "database with this encoding instead of the source's.")
    String encoding;

    @Option(names = "--maintenance-db", paramLabel = "DBNAME",
            description = "Database to connect to for CREATE, RENAME and DROP DATABASE (default: postgres).")
    String maintenanceDb = "postgres";

    @Option(names = "--psql", paramLabel = "PATH", description = "The psql to run the schema files with "
            + "(default: PGBIN, PATH, /usr/lib/postgresql/*/bin).")
    Path psqlPath;

    @Mixin
    ReportOptions output;

    RestoreCommand(CliContext ctx) {
        this.ctx = ctx;
        this.standard = new StandardOptions(ctx);
    }

    @Override
    public Integer call() {
        RestoreRequest request = new RestoreRequest(dir, jobs, create, Optional.ofNullable(owner), clean,
                Optional.ofNullable(replace), terminate, dropOld, maintenanceDb,
                new LocaleChoice(Optional.ofNullable(locale), Optional.ofNullable(encoding)));
        Connector connector = connection.connector(ctx);
        PgProgram psql = new PgPrograms(ctx.env()).find("psql", Optional.ofNullable(psqlPath));
        RestoreResult result = new Restore(connector.target(), psql, ctx.env(),
                RestoreProgress.forTerminal(ctx.err(), output.quiet)).run(request);
        if (output.json()) {
            Json.print(ctx.out(), json(result));
        } else {
            printText(result);
        }
        long differ = result.tables().stream().filter(t -> !t.matches()).count();
        if (differ > 0) {
            throw new PgsubsetException(differ + " tables have other row counts than the manifest: "
                    + result.tables().stream().filter(t -> !t.matches()).map(t -> t.schema() + "." + t.name())
                    .toList());
        }
        return 0;
    }

    private void printText(RestoreResult r) {
        TextTable table = new TextTable(List.of("schema", "table", "rows", "manifest", "seconds", "status"),
                false, false, true, true, true, false);
        for (TableRows t : r.tables()) {
            table.row(List.of(t.schema(), t.name(), Long.toString(t.rows()), Long.toString(t.expected()),
                    String.format(java.util.Locale.ROOT, "%.1f", t.millis() / 1000.0), t.matches() ? "ok" : "DIFFERS"));
        }
        table.print(ctx.out());
        ctx.out().printf(java.util.Locale.ROOT, "restored %d tables, %d rows into \"%s\" in %.1f s%s%n",
                r.tables().size(), r.tables().stream().mapToLong(TableRows::rows).sum(), r.database(),
                r.millis() / 1000.0, r.keptOld().map(o -> "; the previous database is kept as \"" + o + "\"")
                        .orElse(""));
        ctx.out().flush();
    }

    private static Map<String, Object> json(RestoreResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("database", r.database());
        m.put("kept_old", r.keptOld().orElse(null));
        m.put("seconds", r.millis() / 1000.0);
        List<Map<String, Object>> tables = new ArrayList<>();
        for (TableRows t : r.tables()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("schema", t.schema());
            row.put("table", t.name());
            row.put("rows", t.rows());
            row.put("manifest_rows", t.expected());
            row.put("seconds", t.millis() / 1000.0);
            row.put("ok", t.matches());
            tables.add(row);
        }
        m.put("tables", tables);
        return m;
    }
}
