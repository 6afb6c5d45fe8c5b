package io.pgsubset.cli;

import io.pgsubset.dump.DumpRequest;
import io.pgsubset.dump.DumpResult;
import io.pgsubset.dump.Dumper;
import io.pgsubset.dump.PlanSource;
import io.pgsubset.error.UsageException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.plan.PlanFile;
import io.pgsubset.plan.PlanLoader;
import io.pgsubset.plan.Plans;
import io.pgsubset.sizes.ByteSize;
import io.pgsubset.tools.PgPrograms;
import io.pgsubset.transform.TransformKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
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

    @Option(names = "--plan", paramLabel = "PLAN.yaml",
            description = "The plan (see pgsubset plan init); without one, every table is dumped in full.")
    Path plan;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
            description = "The dump directory to create; it must not exist (see --force).")
    Path output;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Copy with N connections at once, all on "
            + "the same snapshot, largest tables first; a table big enough to bound the dump is copied as block "
            + "ranges in parallel into its one file (PostgreSQL 14 or later; see --part-size). Default: 1.")
    int jobs = 1;

    @Option(names = "--part-size", paramLabel = "SIZE", description = "With --jobs, the size of the block ranges a "
            + "big table is split into, e.g. 64MB; 0 never splits (default: 128MB).")
    String partSize;

    @Option(names = "--compress", description = "Write data files as .csv.gz.")
    boolean compress;

    @Option(names = "--keep-owners", description = "Keep owners and privileges in the schema (default: left out).")
    boolean keepOwners;

    @Option(names = "--force", description = "Replace DIR if it is an earlier dump, once the new one is complete.")
    boolean force;

    @Option(names = "--max-rows", paramLabel = "N",
            description = "Stop before writing anything when the closure selects more than N rows in sample and "
                    + "follow tables (overrides the plan's max_rows).")
    Long maxRows;

    @Option(names = "--lock-wait-timeout", paramLabel = "TIMEOUT",
            description = "Fail instead of waiting longer than this for a table lock, e.g. 30s (as pg_dump); also "
                    + "bounds pg_dump's and the --jobs workers' lock waits (default 10s for those).")
    String lockWaitTimeout;

    @Option(names = "--pg-dump", paramLabel = "PATH",
            description = "The pg_dump to run (default: PGBIN, then PATH); at least the server's major version. "
                    + "pg_restore, which writes the schema sections from its archive, is taken from the same directory.")
    Path pgDump;

    @Option(names = "--salt-file", paramLabel = "FILE",
            description = "The secret that keys the plan's deterministic transforms (hash, email, name, digits, "
                    + "keep_length): the same salt gives the same pseudonyms on every dump. Default: the "
                    + TransformKey.SALT_VARIABLE + " environment variable, else a random key per dump. "
                    + "Never written to the dump. Refused when group or others can read or write it (chmod 600).")
    Path saltFile;

    @Option(names = "--accept-shared-salt-file",
            description = "Use a --salt-file that group or others can read or write (e.g. a secret shared by a team "
                    + "on purpose); without it such a file is refused.")
    boolean acceptSharedSaltFile;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    DumpCommand(CliContext ctx) {
        this.ctx = ctx;
        this.standard = new StandardOptions(ctx);
    }

    @Override
    public Integer call() {
        if (jobs < 1) {
            throw new UsageException("--jobs must be at least 1, got " + jobs);
        }
        if (maxRows != null && maxRows < 0) {
            throw new UsageException("--max-rows must not be negative, got " + maxRows);
        }
        long partBytes = partSize == null ? DumpRequest.DEFAULT_PART_BYTES : partBytes(partSize);
        PlanSource planSource = PlanSource.everyTableFull();
        String planText = PlanSource.EVERY_TABLE_FULL_YAML;
        TransformKey transformKey = TransformKey.resolve(Optional.ofNullable(saltFile), acceptSharedSaltFile,
                ctx.env());
        if (plan != null) {
            // checked before connecting: a plan with mistakes fails at once, with every problem
            PlanFile file = PlanLoader.load(plan);
            if (transformKey.isRandom() && !file.transforms().isEmpty()) {
                ctx.err().println("pgsubset: no --salt-file or " + TransformKey.SALT_VARIABLE + ": transforms use a "
                        + "random key, so a rerun gives different pseudonyms");
            }
            planText = readPlan(plan);
            planSource = (conn, catalog) -> Plans.resolve(conn, file, catalog).plan();
        }
        DumpRequest request = new DumpRequest(planSource, planText, output,
                jobs, compress, keepOwners, force, maxRows == null ? OptionalLong.empty() : OptionalLong.of(maxRows),
                Optional.ofNullable(lockWaitTimeout), new Main.Version().getVersion()[0], transformKey, partBytes);
        DumpProgress progress = quiet ? DumpProgress.silent() : DumpProgress.forStream(ctx);
        startUp().ifPresent(nanos -> progress.phase("start-up (process start to the dump)", nanos));
        DumpResult result;
        try (progress) {
            result = new Dumper(connection.connector(ctx), new PgPrograms(ctx.env()), Optional.ofNullable(pgDump),
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

    private static long partBytes(String text) {
        try {
            return ByteSize.parse(text);
        } catch (UsageException e) {
            throw new UsageException("--part-size: " + e.getMessage(), e);
        }
    }

    private static String readPlan(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("plan file " + path + " does not exist - check the --plan path");
        } catch (IOException e) {
            throw new UsageException("cannot read plan file " + path + ": " + e.getMessage(), e);
        }
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
