package io.pgsubset.cli;

import io.pgsubset.dump.DumpRequest;
import io.pgsubset.dump.DumpResult;
import io.pgsubset.dump.Dumper;
import io.pgsubset.dump.SourceSnapshot;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.sizes.ByteSize;
import io.pgsubset.tools.PgPrograms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "dump", sortOptions = false,
        description = {"Write a dump directory: manifest.json, schema/pre-data.sql and schema/post-data.sql "
                + "(pg_dump), data/<schema>.<table>.csv[.gz], sequences.sql, restore.sh and plan.yaml, all from one "
                        + "snapshot.",
                "Large objects referenced by the dumped rows (oid and lo columns; every one when every table is "
                        + "full) go to large-objects/<oid>; a reference to no large object is a warning and is "
                        + "listed in the manifest. Materialized views are listed for the restore to refresh.",
                "The directory appears only when complete; an interrupted or failed dump leaves nothing."})
final class DumpCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    StandardOptions standard;

    @Mixin
    ConnectionMixin connection;

    @Mixin
    SourceOptions source;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
            description = "The dump directory to create; it must not exist (see --force).")
    Path output;

    @Option(names = "--compress", description = "Write data files as .csv.gz.")
    boolean compress;

    @Option(names = "--force", description = "Replace DIR if it is an earlier dump, once the new one is complete.")
    boolean force;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    DumpCommand(CliContext ctx) {
        this.ctx = ctx;
        this.standard = new StandardOptions(ctx);
    }

    @Override
    public Integer call() {
        SourceSnapshot.Options options = source.options(ctx);
        DumpRequest request = new DumpRequest(options.plan(), source.planText(), output, source.jobs, compress,
                options.keepOwners(), force, options.maxRows(), options.lockWaitTimeout(),
                new Main.Version().getVersion()[0], options.transformKey(), options.partBytes(), options.limits());
        DumpProgress progress = quiet ? DumpProgress.silent(ctx) : DumpProgress.forStream(ctx);
        startUp().ifPresent(nanos -> progress.phase("start-up (process start to the dump)", nanos));
        DumpResult result;
        try (progress) {
            result = new Dumper(connection.connector(ctx), new PgPrograms(ctx.env()), source.pgDump(),
                    progress).run(request);
        }
        printSummary(result);
        return 0;
    }

    /** Time since the process started (the JVM's own start-up included), when the system tells it. */
    private static Optional<Long> startUp() {
        return ProcessHandle.current().info().startInstant()
                .map(start -> java.time.Duration.between(start, java.time.Instant.now()).toNanos());
    }

    private void printSummary(DumpResult result) {
        TextTable table = new TextTable(List.of("schema", "table", "mode", "rows", "size", "file"),
                false, false, false, true, true, false);
        for (Manifest.TableEntry t : result.manifest().tables()) {
            table.row(List.of(t.schema(), t.name(), t.mode(), Long.toString(t.rows()), ByteSize.pretty(t.bytes()),
                    t.file()));
        }
        table.separator();
        table.row(List.of("", "total (" + result.manifest().tables().size() + " tables)", "",
                Long.toString(result.totalRows()), ByteSize.pretty(result.totalBytes()), ""));
        table.print(ctx.out());
        ctx.out().printf(Locale.ROOT, "dump written to %s in %.1f s (%d sequences, %d large objects, snapshot %s)%n",
                result.directory(), result.nanos() / 1e9, result.manifest().sequences().size(),
                result.manifest().largeObjects().size(), result.manifest().snapshotTime());
        ctx.out().flush();
        for (Manifest.DanglingReference d : result.manifest().danglingLargeObjectReferences()) {
            ctx.err().println("pgsubset: warning: " + d.schema() + "." + d.table() + "." + d.column() + ": " + d.rows()
                    + " dumped rows reference " + d.objects() + " large objects that do not exist in the source: "
                    + "the copy cannot have them (manifest.json: dangling_large_object_references)");
        }
        ctx.err().flush();
    }
}
