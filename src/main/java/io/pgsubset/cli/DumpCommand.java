package io.pgsubset.cli;

import io.pgsubset.dump.DumpRequest;
import io.pgsubset.dump.DumpResult;
import io.pgsubset.dump.Dumper;
import io.pgsubset.dump.ScriptOutput;
import io.pgsubset.dump.ScriptRequest;
import io.pgsubset.dump.SourceSnapshot;
import io.pgsubset.dump.SqlDumper;
import io.pgsubset.error.UsageException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.sizes.ByteSize;
import io.pgsubset.tools.PgPrograms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "dump", sortOptions = false,
        description = {"Write a dump directory: manifest.json, schema/pre-data.sql and schema/post-data.sql "
                + "(pg_dump), data/<schema>.<table>.csv[.gz], sequences.sql, restore.sh and plan.yaml, all from one "
                        + "snapshot.",
                "Large objects referenced by the dumped rows (oid and lo columns; every one when every table is "
                        + "full) go to large-objects/<oid>; a reference to no large object is a warning and is "
                        + "listed in the manifest. Materialized views are listed for the restore to refresh.",
                "The directory appears only when complete; an interrupted or failed dump leaves nothing.",
                "With --format sql: the same snapshot, plan, rows and schema as one SQL script that psql alone "
                        + "loads (-o FILE, or -o - for standard output): one transaction with pre-data, each "
                        + "table's rows as a COPY block, post-data, sequences, large objects, materialized view "
                        + "refreshes, and last a row count check of every table that rolls everything back on a "
                        + "difference; a script cut anywhere loads nothing. The manifest is in its comments "
                        + "(pgsubset verify --manifest-from FILE). Example: pgsubset dump -d app --format sql -o - "
                        + "| kubectl exec -i db-0 -- psql -v ON_ERROR_STOP=1 -d app"})
final class DumpCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    StandardOptions standard;

    @Mixin
    ConnectionMixin connection;

    @Mixin
    SourceOptions source;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR|FILE",
            description = "The dump directory to create; it must not exist (see --force). With --format sql the "
                    + "script's file, or - for standard output (progress and summary then go to stderr).")
    String output;

    @Option(names = {"-F", "--format"}, paramLabel = "FORMAT", description = "dir (default): a dump directory with "
            + "restore.sh; sql: one SQL script for psql alone (one COPY after the other: --jobs does not apply).")
    DumpFormat format = DumpFormat.DIR;

    @Option(names = "--compress", description = "Write data files as .csv.gz; with --format sql, gzip the script "
            + "(zcat FILE | psql ...).")
    boolean compress;

    @Option(names = "--clean", description = "With --format sql: the script first drops, if they exist, the dump's "
            + "schemas (CASCADE; public is made again empty), extensions and large objects in the target, in its "
            + "one transaction. Without it the script refuses a non-empty target before it changes anything.")
    boolean clean;

    @Option(names = "--force", description = "Replace DIR if it is an earlier dump (with --format sql: FILE), once "
            + "the new one is complete.")
    boolean force;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    DumpCommand(CliContext ctx) {
        this.ctx = ctx;
        this.standard = new StandardOptions(ctx);
    }

    /** The dump's form on disk or on the wire. */
    enum DumpFormat { DIR, SQL }

    @Override
    public Integer call() {
        if (format == DumpFormat.SQL) {
            return script();
        }
        if (clean) {
            throw new UsageException("--clean belongs to --format sql; a dump directory is cleaned into a target by "
                    + "pgsubset restore --clean or restore.sh --clean");
        }
        if (output.equals("-")) {
            throw new UsageException("-o - (standard output) needs --format sql; a dump directory needs a path");
        }
        SourceSnapshot.Options options = source.options(ctx);
        DumpRequest request = new DumpRequest(options.plan(), source.planText(), Path.of(output), source.jobs, compress,
                options.keepOwners(), force, options.maxRows(), options.lockWaitTimeout(),
                new Main.Version().getVersion()[0], options.transformKey(), options.partBytes(), options.limits());
        DumpProgress progress = quiet ? DumpProgress.silent(ctx) : DumpProgress.forStream(ctx);
        ProcessAge.nanos().ifPresent(nanos -> progress.phase("start-up (process start to the dump)", nanos));
        DumpResult result;
        try (progress) {
            result = new Dumper(connection.source(ctx, source.limits().statementTimeout()), new PgPrograms(ctx.env()),
                    source.pgDump(), progress).run(request);
        }
        printSummary(result);
        return 0;
    }

    /** --format sql: the script to a file or to standard output (then nothing else goes there). */
    private int script() {
        if (source.jobs > 1) {
            throw new UsageException("--format sql writes one stream, one table's COPY after the other, so --jobs "
                    + source.jobs + " cannot apply; leave --jobs out, or dump a directory (--format dir) and load it "
                    + "with pgsubset restore --jobs");
        }
        boolean toStdout = output.equals("-");
        if (toStdout && ctx.stdout().isEmpty()) {
            throw new UsageException("-o -: standard output is not available here; write to a file");
        }
        if (!toStdout) {
            ScriptOutput.check(Path.of(output), force);
        }
        SourceSnapshot.Options options = source.options(ctx);
        ScriptRequest request = new ScriptRequest(options, compress, clean, new Main.Version().getVersion()[0]);
        DumpProgress progress = quiet ? DumpProgress.silent(ctx) : DumpProgress.forStream(ctx);
        ProcessAge.nanos().ifPresent(nanos -> progress.phase("start-up (process start to the dump)", nanos));
        SqlDumper.Result result;
        try (progress; ScriptOutput out = toStdout ? ScriptOutput.stdout(ctx.stdout().get())
                : ScriptOutput.file(Path.of(output), force)) {
            result = new SqlDumper(connection.source(ctx, source.limits().statementTimeout()),
                    new PgPrograms(ctx.env()), source.pgDump(), progress).run(request, out);
        }
        // with -o - standard output carries the script alone
        PrintWriter summary = toStdout ? ctx.err() : ctx.out();
        printTables(summary, result.manifest(), result.totalRows(), result.totalBytes());
        summary.printf(Locale.ROOT, "SQL script written to %s in %.1f s (%d sequences, %d large objects, snapshot %s)%n",
                result.written(), result.nanos() / 1e9, result.manifest().sequences().size(),
                result.manifest().largeObjects().size(), result.manifest().snapshotTime());
        summary.flush();
        warnDangling(result.manifest());
        return 0;
    }

    private void printSummary(DumpResult result) {
        printTables(ctx.out(), result.manifest(), result.totalRows(), result.totalBytes());
        ctx.out().printf(Locale.ROOT, "dump written to %s in %.1f s (%d sequences, %d large objects, snapshot %s)%n",
                result.directory(), result.nanos() / 1e9, result.manifest().sequences().size(),
                result.manifest().largeObjects().size(), result.manifest().snapshotTime());
        ctx.out().flush();
        warnDangling(result.manifest());
    }

    private static void printTables(PrintWriter out, Manifest manifest, long rows, long bytes) {
        TextTable table = new TextTable(List.of("schema", "table", "mode", "rows", "size", "file"),
                false, false, false, true, true, false);
        for (Manifest.TableEntry t : manifest.tables()) {
            table.row(List.of(t.schema(), t.name(), t.mode(), Long.toString(t.rows()), ByteSize.pretty(t.bytes()),
                    t.file()));
        }
        table.separator();
        table.row(List.of("", "total (" + manifest.tables().size() + " tables)", "", Long.toString(rows),
                ByteSize.pretty(bytes), ""));
        table.print(out);
    }

    private void warnDangling(Manifest manifest) {
        for (Manifest.DanglingReference d : manifest.danglingLargeObjectReferences()) {
            ctx.err().println("pgsubset: warning: " + d.schema() + "." + d.table() + "." + d.column() + ": " + d.rows()
                    + " dumped rows reference " + d.objects() + " large objects that do not exist in the source: "
                    + "the copy cannot have them (manifest.json: dangling_large_object_references)");
        }
        ctx.err().flush();
    }
}
