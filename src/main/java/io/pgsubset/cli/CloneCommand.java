package io.pgsubset.cli;

import io.pgsubset.clone.CloneRequest;
import io.pgsubset.clone.CloneResult;
import io.pgsubset.clone.Cloner;
import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.dump.SourceConnection;
import io.pgsubset.dump.CopiedTable;
import io.pgsubset.error.UsageException;
import io.pgsubset.restore.RestoreListener;
import io.pgsubset.sizes.ByteSize;
import io.pgsubset.tools.PgPrograms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "clone", sortOptions = false,
        description = {"Copy the plan's subset from the source (-h/-p/-U/-d) straight into a target database "
                + "(--target), without files: one snapshot, the plan checked, pg_dump's schema, each table's COPY TO "
                + "streamed into COPY FROM, post-data, sequences, ANALYZE.",
                "Rows and row digests are computed in flight and checked against the subset's counts where the "
                        + "closure counted them (~N marks an estimate); nothing is committed unless every table "
                        + "arrived whole.",
                "--create makes a new database, --clean empties an existing one and refills it in one transaction "
                        + "(one table at a time), --replace builds DBNAME__pgsubset_new beside the target's database "
                        + "and swaps the names at the end."})
final class CloneCommand implements Callable<Integer> {
    /** Source settings of the environment that must not steer the target: it is exactly what --target says. */
    private static final Set<String> SOURCE_ONLY_ENV = Set.of("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE",
            "PGSERVICE");

    private final CliContext ctx;

    @Mixin
    StandardOptions standard;

    @Mixin
    ConnectionMixin connection;

    @Option(names = "--target", required = true, paramLabel = "CONNINFO",
            description = "The target: a libpq key=value string (\"host=dev dbname=app_dev\") or a postgresql:// URI. "
                    + "PGHOST, PGPORT, PGDATABASE and PGSERVICE apply to the source only; the password comes from "
                    + "PGPASSWORD or ~/.pgpass, never from the command line.")
    String target;

    @Mixin
    SourceOptions source;

    @Option(names = "--create", description = "Create the target database first (from template0).")
    boolean create;

    @Option(names = "--clean", description = "Clone into a non-empty target in ONE transaction (one psql session, "
            + "one table at a time; not with --jobs): drop every schema, extension but plpgsql and large object, "
            + "recreate an empty public schema, load; a failure or kill leaves the old content.")
    boolean clean;

    @Option(names = "--replace", description = "Clone into <target database>__pgsubset_new, then rename the target's "
            + "database to <name>__pgsubset_old_<UTC time> and the new one to its name in one transaction.")
    boolean replace;

    @Option(names = "--owner", paramLabel = "ROLE",
            description = "Owner of the database --create or --replace makes; the role is created when missing. "
                    + "--replace keeps the replaced database's owner by default.")
    String owner;

    @Option(names = "--terminate", description = "With --replace: end the sessions on the target database at the swap.")
    boolean terminate;

    @Option(names = "--drop-old", description = "With --replace: drop the replaced database after the swap.")
    boolean dropOld;

    @Option(names = "--maintenance-db", paramLabel = "DBNAME",
            description = "Database on the target server for CREATE, RENAME and DROP DATABASE (default: postgres).")
    String maintenanceDb = "postgres";

    @Option(names = "--psql", paramLabel = "PATH", description = "The psql that loads the schema into the target "
            + "(default: PGBIN, PATH, /usr/lib/postgresql/*/bin).")
    Path psqlPath;

    @Mixin
    ReportOptions output;

    CloneCommand(CliContext ctx) {
        this.ctx = ctx;
        this.standard = new StandardOptions(ctx);
    }

    @Override
    public Integer call() {
        if (replace && (create || clean)) {
            throw new UsageException("--replace makes a new database itself: leave out --create and --clean");
        }
        ConnectionTarget into = targetOf(target, ctx.env());
        CloneRequest request = new CloneRequest(source.options(ctx), source.jobs, create,
                Optional.ofNullable(owner), clean, replace ? Optional.of(into.dbname()) : Optional.empty(), terminate,
                dropOld, maintenanceDb, new Main.Version().getVersion()[0]);
        SourceConnection from = connection.source(ctx, source.limits().statementTimeout());
        CloneResult result;
        try (DumpProgress progress = output.quiet ? DumpProgress.silent(ctx) : DumpProgress.forStream(ctx)) {
            result = new Cloner(from, into, new PgPrograms(ctx.env()), source.pgDump(),
                    Optional.ofNullable(psqlPath), ctx.env(), progress, steps(progress)).run(request);
        }
        if (output.json()) {
            Json.print(ctx.out(), json(result));
        } else {
            printText(result);
        }
        return 0;
    }

    static ConnectionTarget targetOf(String conninfo, Map<String, String> env) {
        Map<String, String> targetEnv = new HashMap<>(env);
        targetEnv.keySet().removeAll(SOURCE_ONLY_ENV);
        return ConnectionTarget.resolve(new ConnectionOptions(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(conninfo), true), targetEnv);
    }

    /** The target side's steps go to the same progress as the copy. */
    private RestoreListener steps(DumpProgress progress) {
        return new RestoreListener() {
            @Override
            public void step(String what) {
                progress.step(what);
            }

            @Override
            public void warning(String what) {
                ctx.err().println("pgsubset: warning: " + what);
                ctx.err().flush();
            }

            @Override
            public void loadStarted(long tables, long bytes) {
            }

            @Override
            public void progress(io.pgsubset.manifest.Manifest.TableEntry table, long bytes) {
            }

            @Override
            public void tableDone(io.pgsubset.manifest.Manifest.TableEntry table, long rows, long millis) {
            }

            @Override
            public void loadFinished() {
            }
        };
    }

    private void printText(CloneResult r) {
        TextTable table = new TextTable(List.of("schema", "table", "mode", "rows", "subset", "size", "row digest",
                "status"), false, false, false, true, true, true, false, false);
        for (CopiedTable t : r.tables()) {
            table.row(List.of(t.table().schema(), t.table().name(), t.mode(), Long.toString(t.rows()),
                    (t.counted() ? "" : "~") + t.expected(), ByteSize.pretty(t.bytes()), t.rowDigest(), t.matches() ? "ok" : "DIFFERS"));
        }
        table.print(ctx.out());
        ctx.out().printf(Locale.ROOT, "cloned %d tables, %d rows into \"%s\" in %.1f s%s%n", r.tables().size(),
                r.tables().stream().mapToLong(CopiedTable::rows).sum(), r.database(), r.millis() / 1000.0,
                r.keptOld().map(o -> "; the previous database is kept as \"" + o + "\"").orElse(""));
        ctx.out().flush();
    }

    private static Map<String, Object> json(CloneResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("database", r.database());
        m.put("kept_old", r.keptOld().orElse(null));
        m.put("seconds", r.millis() / 1000.0);
        List<Map<String, Object>> tables = new ArrayList<>();
        for (CopiedTable t : r.tables()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("schema", t.table().schema());
            row.put("table", t.table().name());
            row.put("mode", t.mode());
            row.put("rows", t.rows());
            row.put("subset_rows", t.expected());
            row.put("subset_rows_counted", t.counted());
            row.put("bytes", t.bytes());
            row.put("row_digest", t.rowDigest());
            row.put("seconds", t.nanos() / 1e9);
            row.put("ok", t.matches());
            tables.add(row);
        }
        m.put("tables", tables);
        return m;
    }
}
