package io.pgsubset.dump;

import io.pgsubset.format.RestoreScript;
import io.pgsubset.format.DumpLayout;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.error.Interrupted;
import io.pgsubset.files.OwnerOnly;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.plan.PlanJson;
import io.pgsubset.subset.Subset;
import io.pgsubset.tools.PgPrograms;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code pgsubset dump}: one snapshot, ACCESS SHARE locks, the subset, pg_dump's schema sections,
 * a CSV per table, sequences, plan and manifest, written under a temporary name and renamed when
 * complete. Never writes to the source.
 */
public final class Dumper {
    private final SourceConnection connection;
    private final PgPrograms programs;
    private final Optional<Path> pgDumpPath;
    private final DumpListener listener;

    public Dumper(SourceConnection connection, PgPrograms programs, Optional<Path> pgDumpPath,
                  DumpListener listener) {
        this.connection = connection;
        this.programs = programs;
        this.pgDumpPath = pgDumpPath;
        this.listener = listener;
    }

    public DumpResult run(DumpRequest request) {
        long started = System.nanoTime();
        DumpDirectory.check(request.output(), request.force());
        SourceSnapshot.Options options = new SourceSnapshot.Options(request.plan(), request.maxRows(),
                request.lockWaitTimeout(), request.keepOwners(), request.transformKey(), request.partBytes(),
                request.limits());
        try {
            return run(request, options, started);
        } catch (RuntimeException e) {
            throw SourceFailures.explain(e, request.limits().statementTimeout());
        }
    }

    private DumpResult run(DumpRequest request, SourceSnapshot.Options options, long started) {
        try (SourceSnapshot source = SourceSnapshot.open(connection, programs, pgDumpPath, listener, options,
                request.jobs());
             DumpDirectory dir = DumpDirectory.create(request.output(), request.force())) {
            Catalog catalog = source.catalog();
            PhaseTimer timer = source.listener();
            boolean writerThreads = DataFileSink.writerThreadPays(connection.connector().target().serverIsLocal(),
                    request.jobs(), Runtime.getRuntime().availableProcessors());
            DataDump data = new DataDump(timer, dir.path(), new DataFileSink.Options(request.compress(),
                    writerThreads), request.transformKey(),
                    new DataDump.Splitting(catalog.server().majorVersion(), request.partBytes()));
            // pg_dump starts (a process, a connection, its catalog queries) while the closure runs;
            // when it fails, the copy stops at once instead of finishing first.
            SourceSnapshot.SchemaRun schema = source.startSchema(dir.path(), data::abort);
            // the plan's JSON for the manifest is built now, off the path to the end
            CompletableFuture<JsonNode> planJson = CompletableFuture.supplyAsync(
                    () -> ManifestIO.tree(PlanJson.of(source.plan())));
            dir.onAbort(schema::cancel);
            // a signal: no copy starts (or creates a data file) while the partial directory is removed
            dir.onAbort(() -> data.abort(new Interrupted("dump interrupted")));
            try {
                List<DataDump.Job> jobs = new ArrayList<>();
                List<Manifest.TableEntry> entries = timer.time("data", () -> copy(request, source, data, jobs));
                LargeObjectSource.Result largeObjects = source.largeObjects(dir.path(), jobs);
                List<Manifest.SequenceEntry> sequences = source.sequences();
                SequenceDump.write(dir.path(), sequences);
                timer.time("waiting for the schema", schema::await);
                timer.step("schema written by " + schema.pgDumpPath());
                long writing = System.nanoTime();
                JsonNode plan = Background.await(planJson, "the manifest's JSON");
                Manifest manifest = manifest(request, source, plan, entries, sequences, source.materializedViews(),
                        largeObjects, timer.phases());
                writeFiles(dir.path(), request, manifest);
                dir.commit();
                timer.record("manifest", System.nanoTime() - writing);
                timer.record("total", System.nanoTime() - started);
                return new DumpResult(dir.target(), manifest, System.nanoTime() - started);
            } catch (RuntimeException e) {
                throw source.leaderLost(e);
            } finally {
                schema.stop();
            }
        }
    }

    /**
     * Every table's rows into its data file; {@code jobs} receives the jobs. The full tables the
     * closure cannot change start copying on worker connections at once, while the leader's
     * computes the closure; the subset's tables join them when it is known, on the --jobs
     * connections and the leader's, which is free by then (with --jobs 1, two copies at most, as
     * while the closure ran beside the first copies).
     */
    private List<Manifest.TableEntry> copy(DumpRequest request, SourceSnapshot source, DataDump data,
                                           List<DataDump.Job> jobs) {
        PhaseTimer timer = source.listener();
        List<DataDump.Job> settled = source.settledJobs(request.compress());
        timer.copyingBeforeClosure(planned(settled));
        var copying = data.start(source.leader(), connection.connector(), request.jobs(), settled);
        try {
            Subset subset = source.subset();
            jobs.addAll(SourceSnapshot.jobs(source.catalog(), subset, request.compress()));
            // by name: comparing every settled job with every job compares whole tables N² times
            Map<QualifiedName, DataDump.Job> byName = new HashMap<>();
            jobs.forEach(j -> byName.put(j.table().name(), j));
            Set<QualifiedName> early = new HashSet<>();
            for (DataDump.Job j : settled) {
                if (!j.copiesAs(byName.get(j.table().name()))) {
                    throw new IllegalStateException("the closure selected other rows of "
                            + j.table().name().display() + " than the copy that started before it");
                }
                early.add(j.table().name());
            }
            timer.planned(planned(jobs));
            copying.add(source.leader(), jobs.stream().filter(j -> !early.contains(j.table().name())).toList());
        } catch (RuntimeException e) {
            // a failed copy cancels the closure's query: its failure is then the one to report
            if (copying.failed()) {
                throw copyFailure(copying);
            }
            copying.abandon(e);
            throw e;
        }
        List<Manifest.TableEntry> entries = copying.finish();
        timer.time("fsync (data files)", data::awaitSyncs);
        return entries;
    }

    /** The copy's own failure, which {@link TableCopier.Started#finish} throws. */
    private static RuntimeException copyFailure(TableCopier<?, ?>.Started copying) {
        try {
            copying.finish();
        } catch (RuntimeException e) {
            return e;
        }
        return new IllegalStateException("the copy failed without a failure");
    }

    private static List<DumpListener.PlannedTable> planned(List<DataDump.Job> jobs) {
        return jobs.stream().map(j -> new DumpListener.PlannedTable(j.table().name(),
                j.subset().plan().mode().keyword(), j.subset().rows())).toList();
    }

    private static Manifest manifest(DumpRequest request, SourceSnapshot source, JsonNode planJson,
                                     List<Manifest.TableEntry> entries,
                                     List<Manifest.SequenceEntry> sequences, List<Manifest.MaterializedViewEntry> views,
                                     LargeObjectSource.Result largeObjects, List<Manifest.Phase> phases) {
        List<Manifest.TableEntry> sorted = entries.stream()
                .sorted(Comparator.comparing(Manifest.TableEntry::schema).thenComparing(Manifest.TableEntry::name))
                .toList();
        return new Manifest(Manifest.FORMAT_VERSION, request.toolVersion(), source.source(), source.snapshotTime(),
                request.compress(), request.keepOwners(), planJson,
                sorted, sequences, views, largeObjects.objects(), largeObjects.dangling(), phases,
                Optional.of(source.database()));
    }

    static final String PLAN_FILE = DumpLayout.PLAN;

    /** plan.yaml, restore.sh, then manifest.json last: its presence marks a complete dump. */
    private static void writeFiles(Path dir, DumpRequest request, Manifest manifest) {
        byte[] manifestBytes = ManifestIO.bytes(manifest);
        try {
            OwnerOnly.writeString(dir.resolve(PLAN_FILE), request.planText());
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + dir.resolve(PLAN_FILE), e);
        }
        try {
            RestoreScript.write(dir, manifest, manifestBytes);
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + dir.resolve(RestoreScript.FILE_NAME), e);
        }
        try {
            ManifestIO.write(dir, manifestBytes);
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + dir.resolve(ManifestIO.FILE_NAME), e);
        }
    }
}
