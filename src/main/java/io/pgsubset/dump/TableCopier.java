package io.pgsubset.dump;

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
import java.util.regex.Pattern;

/**
 * Streams one table's selected rows into its data file with COPY ... TO STDOUT (FORMAT csv,
 * HEADER): the server renders every value, Java only moves the bytes.
 */
final class TableCopier {
    /** Keys per COPY statement of a keyed selection: big enough for few round trips, small enough to parse fast. */
    static final int MAX_KEYS_PER_PREDICATE = 20_000;
    private static final Pattern LEADING_WHERE = Pattern.compile("^\\s*WHERE\\s+", Pattern.CASE_INSENSITIVE);
    private static final long PROGRESS_EVERY_BYTES = 1 << 20;

    private final DumpListener listener;
    private final TransformKey transformKey;

    TableCopier(DumpListener listener, TransformKey transformKey) {
        this.listener = listener;
        this.transformKey = transformKey;
    }

    Manifest.TableEntry copy(Connection conn, Table table, TableSubset subset, Path dir, String file, boolean gzip) {
        SelectList select = new SelectList(table, CopyQuery.ALIAS, subset.nulledColumns(),
                subset.plan().transforms(), transformKey);
        List<String> predicates = predicates(subset.selection());
        listener.tableStarted(table.name(), subset.rows());
        long started = System.nanoTime();
        DataFileSink sink;
        try {
            sink = new DataFileSink(dir.resolve(file), gzip);
        } catch (IOException e) {
            throw DumpErrors.io("could not create " + dir.resolve(file), e);
        }
        try (sink) {
            CopyManager copy = conn.unwrap(PGConnection.class).getCopyAPI();
            for (int i = 0; i < predicates.size(); i++) {
                stream(copy, CopyQuery.sql(table, select, predicates.get(i), i == 0), sink, table);
            }
        } catch (SQLException e) {
            throw new PgsubsetException("COPY of " + table.name().display() + " failed: " + DumpErrors.firstLine(e), e);
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + dir.resolve(file), e);
        }
        Manifest.TableEntry entry = new Manifest.TableEntry(table.name().schema(), table.name().name(),
                subset.plan().mode().keyword(), select.columns(), sink.rows(), sink.fileBytes(), file, sink.sha256(),
                sink.rowDigest(), select.describeTransforms());
        listener.tableFinished(table.name(), entry, System.nanoTime() - started);
        return entry;
    }

    private void stream(CopyManager copy, String sql, DataFileSink sink, Table table)
            throws SQLException, IOException {
        CopyOut out = copy.copyOut(sql);
        try {
            long reported = sink.csvBytes();
            byte[] buf;
            while ((buf = out.readFromCopy()) != null) {
                sink.write(buf, 0, buf.length);
                if (sink.csvBytes() - reported >= PROGRESS_EVERY_BYTES) {
                    reported = sink.csvBytes();
                    listener.tableProgress(table.name(), sink.rows(), reported);
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new DumpCancelled();
                }
            }
            listener.tableProgress(table.name(), sink.rows(), sink.csvBytes());
        } finally {
            if (out.isActive()) {
                out.cancelCopy();
            }
        }
    }

    /** The WHERE conditions, one COPY each; a selection without rows still writes the header. */
    static List<String> predicates(RowSelection selection) {
        if (selection instanceof RowSelection.AllRows all) {
            return List.of(all.condition()
                    .map(c -> LEADING_WHERE.matcher(c).replaceFirst(""))
                    .filter(c -> !c.isBlank())
                    .map(c -> "(" + c + ")")
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
