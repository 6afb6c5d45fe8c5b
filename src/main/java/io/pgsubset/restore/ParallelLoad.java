package io.pgsubset.restore;

import io.pgsubset.connect.Connector;
import io.pgsubset.error.Interrupted;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest.TableEntry;
import io.pgsubset.restore.RestoreResult.TableRows;
import io.pgsubset.sql.Session;
import org.postgresql.PGConnection;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;

/**
 * Streams data files into their tables with {@code COPY ... FROM STDIN} on {@code jobs}
 * connections, largest tables first. A failure cancels the COPYs still running and is reported
 * with the table and file; nothing is ever read row by row.
 */
final class ParallelLoad {
    private final Connector target;
    private final Path dir;
    private final int jobs;
    private final RestoreListener listener;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean failed;

    ParallelLoad(Connector target, Path dir, int jobs, RestoreListener listener) {
        this.target = target;
        this.dir = dir;
        this.jobs = jobs;
        this.listener = listener;
    }

    List<TableRows> load(List<TableEntry> tables) {
        listener.loadStarted(tables.size(), tables.stream().mapToLong(TableEntry::bytes).sum());
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(jobs, Math.max(1, tables.size())), r -> {
            Thread t = new Thread(r, "restore-copy");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<TableRows>> futures = new ArrayList<>();
            for (TableEntry t : tables) {
                futures.add(pool.submit(() -> copy(t)));
            }
            List<TableRows> rows = new ArrayList<>();
            PgsubsetException first = null;
            for (Future<TableRows> f : futures) {
                try {
                    rows.add(f.get());
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof PgsubsetException pe ? pe
                                : new PgsubsetException(String.valueOf(e.getCause().getMessage()), e.getCause());
                        cancelAll();
                    }
                }
            }
            if (first != null) {
                throw first;
            }
            return rows;
        } catch (InterruptedException e) {
            cancelAll();
            Thread.currentThread().interrupt();
            throw new Interrupted("interrupted while loading data");
        } finally {
            pool.shutdownNow();
            listener.loadFinished();
        }
    }

    private TableRows copy(TableEntry t) {
        if (failed) {
            throw new PgsubsetException("not loaded: " + t.schema() + "." + t.name() + " (an earlier table failed)");
        }
        long start = System.nanoTime();
        Path file = DumpCheck.dataFile(dir, t);
        try (Connection c = target.open()) {
            open.add(c);
            try {
                Session.configure(c);
                long rows;
                try (InputStream in = input(file, t)) {
                    rows = c.unwrap(PGConnection.class).getCopyAPI().copyIn(RestoreScript.copyStatement(t), in);
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                listener.tableDone(t, rows, millis);
                return new TableRows(t.schema(), t.name(), rows, t.rows(), t.bytes(), millis);
            } finally {
                open.remove(c);
            }
        } catch (SQLException e) {
            failed = true;
            throw new PgsubsetException("loading " + t.schema() + "." + t.name() + " from " + t.file() + " failed: "
                    + firstLine(e.getMessage()), e);
        } catch (IOException e) {
            failed = true;
            throw new PgsubsetException("reading " + file + " failed: " + e.getMessage(), e);
        }
    }

    private InputStream input(Path file, TableEntry t) throws IOException {
        InputStream raw = new Counting(Files.newInputStream(file), t);
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16)
                : new BufferedInputStream(raw, 1 << 16);
    }

    private void cancelAll() {
        failed = true;
        for (Connection c : open) {
            try {
                c.unwrap(org.postgresql.jdbc.PgConnection.class).cancelQuery();
            } catch (SQLException e) {
                // the COPY ends anyway when its connection closes
                continue;
            }
        }
    }

    private static String firstLine(String s) {
        return s == null ? "unknown error" : s.lines().findFirst().orElse(s);
    }

    /** Reports bytes of the data file (compressed size for .gz) as they are read. */
    private final class Counting extends FilterInputStream {
        private final TableEntry table;

        Counting(InputStream in, TableEntry table) {
            super(in);
            this.table = table;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                listener.progress(table, n);
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                listener.progress(table, 1);
            }
            return b;
        }
    }
}
