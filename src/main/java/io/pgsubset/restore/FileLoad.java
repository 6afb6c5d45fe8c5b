package io.pgsubset.restore;

import io.pgsubset.format.RestoreScript;
import io.pgsubset.connect.Connector;
import io.pgsubset.copy.CheckedFile;
import io.pgsubset.copy.CsvBlocks.Block;
import io.pgsubset.copy.Freeze;
import io.pgsubset.copy.Scheduler;
import io.pgsubset.copy.ServerCopy;
import io.pgsubset.copy.SharedFile;
import io.pgsubset.copy.TargetConnection;
import io.pgsubset.copy.Task;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest.TableEntry;
import io.pgsubset.restore.RestoreResult.TableRows;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The restore's pairing of the copy engine: data files (their sha256 checked as they stream)
 * into {@code COPY ... FROM STDIN} on {@code jobs} target connections, the {@link Scheduler}
 * giving out the largest first; nothing is ever read row by row. A data file of at least
 * {@link #SPLIT_BYTES} is loaded by every connection side by side, each stream taking the next
 * block of whole records ({@link SharedFile}), so one big table uses every job. Every
 * connection's transaction commits only after all files loaded and all checksums matched: a
 * damaged file commits no data. A failure cancels the COPYs still running and is reported with
 * the table and file.
 */
final class FileLoad {
    /** Smaller files load on one connection: splitting them would not pay for the extra streams. */
    static final long SPLIT_BYTES = 64L << 20;
    private static final int BLOCK_BYTES = 1 << 20;

    private final Connector target;
    private final Path dir;
    private final int jobs;
    private final long splitBytes;
    private final RestoreListener listener;
    private final Map<TableEntry, TableRows> done = new ConcurrentHashMap<>();

    /** @param splitBytes data files of at least this size are loaded by all jobs at once */
    FileLoad(Connector target, Path dir, int jobs, long splitBytes, RestoreListener listener) {
        this.target = target;
        this.dir = dir;
        this.jobs = jobs;
        this.splitBytes = splitBytes;
        this.listener = listener;
    }

    /** Rows per table, in the order of {@code tables}. */
    List<TableRows> load(List<TableEntry> tables) {
        listener.loadStarted(tables.size(), tables.stream().mapToLong(TableEntry::bytes).sum());
        List<SharedFile> shared = new ArrayList<>();
        try {
            List<Task<TargetConnection>> pieces = new ArrayList<>();
            for (TableEntry t : tables) {
                if (jobs > 1 && t.bytes() >= splitBytes) {
                    Streams streams = new Streams(t, jobs);
                    shared.add(streams.file);
                    for (int i = 0; i < jobs; i++) {
                        pieces.add(streams.new Stream());
                    }
                } else {
                    pieces.add(new Whole(t));
                }
            }
            new Scheduler<>(Optional.empty(), jobs, () -> TargetConnection.open(target::open), "restore")
                    .run(pieces);
            return tables.stream().map(done::get).toList();
        } finally {
            shared.forEach(FileLoad::closeQuietly);
            listener.loadFinished();
        }
    }

    /** A table loaded by one COPY, with the file's header; written frozen when that is safe. */
    private final class Whole implements Task<TargetConnection> {
        private final TableEntry table;

        Whole(TableEntry table) {
            this.table = table;
        }

        @Override
        public double weight() {
            return table.bytes();
        }

        @Override
        public void run(TargetConnection lane) {
            long start = System.nanoTime();
            Path file = DumpCheck.dataFile(dir, table);
            Connection c = lane.connection();
            try (CheckedFile in = CheckedFile.open(file, n -> listener.progress(table, n))) {
                String copy = ServerCopy.copyFromStdin(table.schema(), table.name(), table.columns(), true,
                        Freeze.prepare(c, table.schema(), table.name()));
                long rows;
                try (ServerCopy.In into = ServerCopy.in(c, copy)) {
                    in.transferTo(into);
                    rows = into.finish();
                }
                check(table, file, in.sha256());
                finished(table, rows, start);
            } catch (SQLException e) {
                throw loadFailed(table, e);
            } catch (ServerCopy.Failed e) {
                throw loadFailed(table, e.server());
            } catch (IOException e) {
                throw readFailed(file, e);
            }
        }
    }

    /** One table's file shared by {@code count} COPY streams; the last stream to end reports the table. */
    private final class Streams {
        private final TableEntry table;
        private final SharedFile file;
        private int left;
        private long rows;
        private long start;

        Streams(TableEntry table, int count) {
            this.table = table;
            this.file = new SharedFile(DumpCheck.dataFile(dir, table), n -> listener.progress(table, n), BLOCK_BYTES,
                    actual -> check(table, DumpCheck.dataFile(dir, table), actual), count);
            this.left = count;
        }

        synchronized void started() {
            if (start == 0) {
                start = System.nanoTime();
            }
        }

        synchronized void ended(long streamRows) {
            rows += streamRows;
            if (--left == 0) {
                finished(table, rows, start);
            }
        }

        /** One COPY stream (without header) taking blocks until the file ends. */
        private final class Stream implements Task<TargetConnection> {
            @Override
            public double weight() {
                return (double) table.bytes() / jobs;
            }

            @Override
            public void run(TargetConnection lane) {
                started();
                try (ServerCopy.In into = ServerCopy.in(lane.connection(), RestoreScript.copyStatement(table, false))) {
                    // joined once its COPY runs, so that no stream starts reading while the others still wait on the server
                    file.join();
                    for (Optional<Block> b = file.next(); b.isPresent(); b = file.next()) {
                        into.write(b.get().bytes(), 0, b.get().length());
                        file.recycle(b.get());
                    }
                    ended(into.finish());
                } catch (SQLException e) {
                    throw loadFailed(table, e);
                } catch (ServerCopy.Failed e) {
                    throw loadFailed(table, e.server());
                } catch (IOException e) {
                    throw readFailed(file.path(), e);
                }
            }
        }
    }

    private static void check(TableEntry t, Path file, String actual) {
        if (!actual.equalsIgnoreCase(t.sha256())) {
            throw DumpCheck.damaged(file, actual, t);
        }
    }

    private void finished(TableEntry t, long rows, long start) {
        long millis = (System.nanoTime() - start) / 1_000_000;
        listener.tableDone(t, rows, millis);
        done.put(t, new TableRows(t.schema(), t.name(), rows, t.rows(), t.bytes(), millis));
    }

    private static PgsubsetException loadFailed(TableEntry t, SQLException e) {
        return new PgsubsetException("loading " + t.schema() + "." + t.name() + " from " + t.file() + " failed: "
                + Messages.firstLine(e), e);
    }

    private static PgsubsetException readFailed(Path file, IOException e) {
        return new PgsubsetException("reading " + file + " failed: " + Messages.firstLine(e), e);
    }

    private static void closeQuietly(SharedFile f) {
        try {
            f.close();
        } catch (IOException e) {
            // only read from: nothing is lost, and the load already succeeded or failed with its own error
            return;
        }
    }
}
