package io.pgsubset.dump;

import io.pgsubset.error.Messages;
import io.pgsubset.catalog.Table;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.subset.RowSelection;
import io.pgsubset.subset.TableSubset;
import io.pgsubset.transform.TransformKey;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Streams one table's selected rows into its data file with COPY ... TO STDOUT (FORMAT csv,
 * HEADER): the server renders every value, Java only moves the bytes. A split table (see
 * {@link SplitFile}) is copied one block range at a time, possibly by several workers at once.
 */
final class TableCopier {
    /** Keys per COPY statement of a keyed selection: big enough for few round trips, small enough to parse fast. */
    static final int MAX_KEYS_PER_PREDICATE = 20_000;
    private static final long PROGRESS_EVERY_BYTES = 1 << 20;

    private final DumpListener listener;
    private final TransformKey transformKey;

    TableCopier(DumpListener listener, TransformKey transformKey) {
        this.listener = listener;
        this.transformKey = transformKey;
    }

    /** Copies the job's whole table into its data file. */
    Manifest.TableEntry copy(Connection conn, DataDump.Job job, Path dir, boolean gzip) {
        Table table = job.table();
        TableSubset subset = job.subset();
        SelectList select = select(job);
        List<String> predicates = predicates(subset.selection());
        listener.tableStarted(table.name(), subset.rows());
        long started = System.nanoTime();
        Path path = dir.resolve(job.file());
        FileOutput file;
        try {
            file = FileOutput.dataFile(path);
        } catch (IOException e) {
            throw DumpErrors.io("could not create " + path, e);
        }
        DataFileSink sink = new DataFileSink(file, true, gzip);
        try (sink) {
            CopyManager copy = conn.unwrap(PGConnection.class).getCopyAPI();
            for (int i = 0; i < predicates.size(); i++) {
                stream(copy, CopyQuery.sql(table, select, predicates.get(i), i == 0), sink,
                        (rows, bytes) -> listener.tableProgress(table.name(), rows, bytes));
            }
        } catch (SQLException e) {
            throw copyFailed(table, e);
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + path, e);
        }
        return finished(job, select, new SplitFile.Totals(sink.rows(), file.bytes(), file.sha256(),
                sink.rowDigest(), System.nanoTime() - started));
    }

    /**
     * Copies one block range of a split table; the worker that completes the file gets its
     * manifest entry.
     */
    Optional<Manifest.TableEntry> copyPart(Connection conn, SplitFile split, int part) {
        DataDump.Job job = split.job();
        Table table = job.table();
        SelectList select = select(job);
        String predicate = predicates(job.subset().selection()).get(0) + " AND "
                + split.range(part).predicate(CopyQuery.ALIAS);
        split.started();
        Path path = split.partPath(part);
        DataFileSink sink;
        try {
            sink = split.sink(part);
        } catch (IOException e) {
            throw DumpErrors.io("could not create " + path, e);
        }
        try (sink) {
            CopyManager copy = conn.unwrap(PGConnection.class).getCopyAPI();
            stream(copy, CopyQuery.sql(table, select, predicate, part == 0), sink,
                    (rows, bytes) -> split.progress(part, rows, bytes));
        } catch (SQLException e) {
            throw copyFailed(table, e);
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + path, e);
        }
        try {
            return split.partDone(part, sink.rows(), sink.rowDigest()).map(totals -> finished(job, select, totals));
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + split.file(), e);
        }
    }

    private SelectList select(DataDump.Job job) {
        return new SelectList(job.table(), CopyQuery.ALIAS, job.subset().nulledColumns(),
                job.subset().plan().transforms(), transformKey);
    }

    private static PgsubsetException copyFailed(Table table, SQLException e) {
        return new PgsubsetException("COPY of " + table.name().display() + " failed: " + Messages.firstLine(e), e);
    }

    private Manifest.TableEntry finished(DataDump.Job job, SelectList select, SplitFile.Totals totals) {
        Table table = job.table();
        Manifest.TableEntry entry = new Manifest.TableEntry(table.name().schema(), table.name().name(),
                job.subset().plan().mode().keyword(), select.columns(), totals.rows(), totals.bytes(), job.file(),
                totals.sha256(), totals.rowDigest(), select.describeTransforms(),
                table.extension().map(e -> new Manifest.ExtensionTable(e, table.extensionFilter())));
        listener.tableFinished(table.name(), entry, totals.nanos());
        return entry;
    }

    /** Rows and uncompressed CSV bytes written so far by one sink. */
    private interface Progress {
        void report(long rows, long bytes);
    }

    private static void stream(CopyManager copy, String sql, DataFileSink sink, Progress progress)
            throws SQLException, IOException {
        CopyOut out = copy.copyOut(sql);
        try {
            long reported = sink.csvBytes();
            byte[] buf;
            while ((buf = out.readFromCopy()) != null) {
                sink.write(buf, 0, buf.length);
                if (sink.csvBytes() - reported >= PROGRESS_EVERY_BYTES) {
                    reported = sink.csvBytes();
                    progress.report(sink.rows(), reported);
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new DumpCancelled();
                }
            }
            progress.report(sink.rows(), sink.csvBytes());
        } finally {
            if (out.isActive()) {
                out.cancelCopy();
            }
        }
    }

    /** The WHERE conditions, one COPY each; a selection without rows still writes the header. */
    static List<String> predicates(RowSelection selection) {
        if (selection instanceof RowSelection.AllRows all) {
            return List.of(all.condition().map(c -> "(" + c + ")")
                    .orElse("true"));
        }
        if (selection instanceof RowSelection.KeyedRows keyed) {
            List<String> chunks = keyed.count() == 0 ? List.of()
                    : keyed.predicates(CopyQuery.ALIAS, MAX_KEYS_PER_PREDICATE);
            return chunks.isEmpty() ? List.of("false") : chunks;
        }
        return List.of("false");
    }

    /** Thrown in a worker when the dump is being cancelled (another worker failed, or the user interrupted). */
    static final class DumpCancelled extends RuntimeException {
        DumpCancelled() {
            super("cancelled", null, false, false);
        }
    }
}
