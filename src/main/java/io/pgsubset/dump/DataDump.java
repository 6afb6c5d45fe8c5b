package io.pgsubset.dump;

import io.pgsubset.catalog.Table;
import io.pgsubset.connect.Connector;
import io.pgsubset.copy.Sink;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.subset.TableSubset;
import io.pgsubset.transform.TransformKey;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The dump's pairing of the copy engine: every table's rows ({@link TableCopier}) into its data
 * file ({@link DataFileSink}, CSV with a header, gzipped with --compress), on N worker connections
 * of the leader's snapshot that start while the leader computes the closure; the leader then copies
 * the subset's tables beside them, and a table a worker cannot lock without queueing. A table
 * copied as several block ranges still gets one data file ({@link SplitFile}).
 */
final class DataDump {
    /** One table to copy, and the data file a dump writes it to. */
    record Job(Table table, TableSubset subset, String file, double weight) {
        /**
         * Whether {@code other} copies the same rows of the same table into the same file: the same
         * table and plan, the same WHERE conditions and nulled columns. Not the record's equals,
         * which compares whole tables and selections through bootstrap methods linked at first use.
         */
        boolean copiesAs(Job other) {
            return other != null && table.oid() == other.table.oid() && file.equals(other.file)
                    && subset.plan() == other.subset.plan()
                    && subset.nulledColumns().equals(other.subset.nulledColumns())
                    && TableCopier.predicates(subset.selection())
                            .equals(TableCopier.predicates(other.subset.selection()));
        }
    }

    /** How the data files are split into pieces of work. */
    record Splitting(int serverMajor, long partBytes) {
    }

    private final DumpListener listener;
    private final Path dir;
    private final DataFileSink.Options files;
    private final Splitting splitting;
    private final TableCopier<SnapshotSession, Manifest.TableEntry> copier;
    private final DataSyncs syncs = new DataSyncs();

    DataDump(DumpListener listener, Path dir, DataFileSink.Options files, TransformKey transformKey,
             Splitting splitting) {
        this.listener = listener;
        this.dir = dir;
        this.files = files;
        this.splitting = splitting;
        this.copier = new TableCopier<>(listener, transformKey, s -> s, this::destination, "copy");
    }

    /**
     * Starts {@code work} on {@code jobs} worker connections and returns at once, the leader's
     * connection left free (for the closure); more jobs and the wait through the result.
     */
    TableCopier<SnapshotSession, Manifest.TableEntry>.Started start(SnapshotSession leader, Connector connector,
                                                                     int jobs, List<Job> work) {
        return copier.start(leader, leader, () -> leader.join(connector), jobs, splitting, work);
    }

    /** Waits until every data file written is on disk (they are synced in the background as they close). */
    void awaitSyncs() {
        try {
            syncs.await();
        } catch (IOException e) {
            throw DumpErrors.io("the data files did not all reach the disk", e);
        }
    }

    /** Stops the copy from another thread (pg_dump failed): the started copy's finish throws {@code cause}. */
    void abort(Throwable cause) {
        copier.abort(cause);
    }

    private TableCopier.Destination<SnapshotSession, Manifest.TableEntry> destination(Job job, SelectList select,
                                                                                       int parts) {
        return parts == 1 ? new WholeFile(job, select)
                : SplitFile.create(job, select, parts, dir, files, listener, syncs);
    }

    /** The manifest's entry of a written data file; the listener hears of it. */
    static Manifest.TableEntry finished(DumpListener listener, Job job, SelectList select, SplitFile.Totals totals) {
        Table table = job.table();
        Manifest.TableEntry entry = new Manifest.TableEntry(table.name().schema(), table.name().name(),
                job.subset().plan().mode().keyword(), select.columns(), totals.rows(), totals.bytes(), job.file(),
                totals.sha256(), totals.rowDigest(), select.describeTransforms(),
                table.extension().map(e -> new Manifest.ExtensionTable(e, table.extensionFilter())));
        listener.tableFinished(table.name(), entry, totals.nanos());
        return entry;
    }

    /** A table copied as one piece, straight into its data file. */
    private final class WholeFile implements TableCopier.Destination<SnapshotSession, Manifest.TableEntry> {
        private final Job job;
        private final SelectList select;
        private final Path path;
        private FileOutput file;

        WholeFile(Job job, SelectList select) {
            this.job = job;
            this.select = select;
            this.path = dir.resolve(job.file());
        }

        @Override
        public Sink open(SnapshotSession lane, int part) {
            try {
                file = FileOutput.dataFile(path, syncs);
            } catch (IOException e) {
                throw DumpErrors.io("could not create " + path, e);
            }
            return new DataFileSink(file, true, files);
        }

        @Override
        public Optional<Manifest.TableEntry> arrived(int part, Sink.Arrived arrived, long csvBytes, long nanos) {
            return Optional.of(finished(listener, job, select, new SplitFile.Totals(arrived.rows(), file.bytes(),
                    file.sha256(), arrived.rowDigest(), nanos)));
        }

        @Override
        public RuntimeException failed(int part, IOException e) {
            return DumpErrors.io("could not write " + path, e);
        }
    }
}
