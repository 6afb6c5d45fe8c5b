package io.pgsubset.restore;

import io.pgsubset.connect.Connector;
import io.pgsubset.error.Interrupted;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest.TableEntry;
import io.pgsubset.restore.CsvBlocks.Block;
import io.pgsubset.restore.RestoreResult.TableRows;
import io.pgsubset.sql.Ident;
import io.pgsubset.sql.Session;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * Streams data files into their tables with {@code COPY ... FROM STDIN} on {@code jobs}
 * connections, largest tables first; nothing is ever read row by row. A data file of at least
 * {@link #SPLIT_BYTES} is cut into blocks of whole records ({@link CsvBlocks}) that all
 * connections load side by side, so one big table uses every job. Each file's sha256 is computed
 * from the bytes as they are read, and every connection's transaction commits only after all
 * files loaded and all checksums matched: a damaged file commits no data. A failure cancels the
 * COPYs still running and is reported with the table and file.
 */
final class ParallelLoad {
    /** Smaller files load on one connection: splitting them would not pay for the extra streams. */
    static final long SPLIT_BYTES = 64L << 20;
    private static final int BLOCK_BYTES = 1 << 20;
    private static final Block END = new Block(new byte[0], 0);

    private final Connector target;
    private final Path dir;
    private final int jobs;
    private final long splitBytes;
    private final RestoreListener listener;
    private final Set<Connection> copying = ConcurrentHashMap.newKeySet();
    private volatile boolean failed;

    ParallelLoad(Connector target, Path dir, int jobs, RestoreListener listener) {
        this(target, dir, jobs, SPLIT_BYTES, listener);
    }

    /** @param splitBytes data files of at least this size are loaded by all jobs at once */
    ParallelLoad(Connector target, Path dir, int jobs, long splitBytes, RestoreListener listener) {
        this.target = target;
        this.dir = dir;
        this.jobs = jobs;
        this.splitBytes = splitBytes;
        this.listener = listener;
    }

    List<TableRows> load(List<TableEntry> tables) {
        listener.loadStarted(tables.size(), tables.stream().mapToLong(TableEntry::bytes).sum());
        boolean split = jobs > 1 && tables.stream().anyMatch(t -> t.bytes() >= splitBytes);
        int connections = split ? jobs : Math.min(jobs, Math.max(1, tables.size()));
        ExecutorService pool = Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(r, "restore-copy");
            t.setDaemon(true);
            return t;
        });
        List<Connection> open = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                open.add(openInTransaction());
            }
            List<TableRows> rows = new ArrayList<>();
            List<TableEntry> whole = new ArrayList<>();
            for (TableEntry t : tables) {
                if (split && t.bytes() >= splitBytes) {
                    rows.add(splitCopy(t, open, pool));
                } else {
                    whole.add(t);
                }
            }
            rows.addAll(wholeCopies(whole, open, pool));
            for (Connection c : open) {
                c.commit();
            }
            return rows;
        } catch (SQLException e) {
            throw new PgsubsetException("committing the loaded data failed: " + Messages.firstLine(e), e);
        } catch (InterruptedException e) {
            cancelAll();
            Thread.currentThread().interrupt();
            throw new Interrupted("interrupted while loading data");
        } finally {
            shutDown(pool, open);
            listener.loadFinished();
        }
    }

    /** Tables below the split size, each on one connection, {@code open.size()} at a time. */
    private List<TableRows> wholeCopies(List<TableEntry> tables, List<Connection> open, ExecutorService pool)
            throws InterruptedException {
        BlockingQueue<Connection> idle = new ArrayBlockingQueue<>(open.size(), false, open);
        List<Future<TableRows>> futures = new ArrayList<>();
        for (TableEntry t : tables) {
            futures.add(pool.submit(() -> {
                Connection c = idle.take();
                try {
                    return wholeCopy(c, t);
                } finally {
                    idle.put(c);
                }
            }));
        }
        return collect(futures);
    }

    private TableRows wholeCopy(Connection c, TableEntry t) {
        if (failed) {
            throw new NotLoaded(t, "an earlier table failed");
        }
        long start = System.nanoTime();
        Path file = DumpCheck.dataFile(dir, t);
        copying.add(c);
        try (Checked raw = new Checked(Files.newInputStream(file), t);
             InputStream in = gzipped(file) ? new GZIPInputStream(raw, 1 << 16) : new BufferedInputStream(raw, 1 << 16)) {
            String copy = RestoreScript.copyStatement(t);
            if (truncatedForFreeze(c, t)) {
                copy = copy.replace("(FORMAT csv, HEADER)", "(FORMAT csv, HEADER, FREEZE)");
            }
            long rows = c.unwrap(PGConnection.class).getCopyAPI().copyIn(copy, in);
            raw.verify(file);
            return done(t, rows, start);
        } catch (SQLException e) {
            throw failure(t, e);
        } catch (IOException e) {
            failed = true;
            throw new PgsubsetException("reading " + file + " failed: " + Messages.firstLine(e), e);
        } finally {
            copying.remove(c);
        }
    }

    private static final String CAN_FREEZE = """
            SELECT c.relkind = 'r' AND pg_catalog.has_table_privilege(c.oid, 'TRUNCATE')
                   AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                      AND d.objid = c.oid AND d.deptype = 'e')
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ?""";

    /**
     * Truncates the (empty) table in this transaction when that is safe, so that COPY can write its
     * rows frozen: the index builds and ANALYZE that follow then need not set hint bits on (and
     * rewrite) every page, as they would after a plain COPY. Plain tables only (COPY FREEZE
     * refuses partitioned ones), not tables of extensions, and only when nothing would be removed.
     */
    private static boolean truncatedForFreeze(Connection c, TableEntry t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CAN_FREEZE)) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return false;
                }
            }
        }
        String table = Ident.quote(t.schema(), t.name());
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT NOT EXISTS (SELECT FROM ONLY " + table + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return false;
                }
            }
            st.execute("TRUNCATE ONLY " + table);
        }
        return true;
    }

    /**
     * One table on every connection: this thread reads the file (and its sha256) and cuts it into
     * blocks of whole records; each connection runs a COPY that takes the next free block.
     */
    private TableRows splitCopy(TableEntry t, List<Connection> open, ExecutorService pool)
            throws InterruptedException {
        long start = System.nanoTime();
        Path file = DumpCheck.dataFile(dir, t);
        BlockingQueue<Block> queue = new ArrayBlockingQueue<>(2 * open.size());
        List<Future<Long>> streams = new ArrayList<>();
        try (Checked raw = new Checked(Files.newInputStream(file), t);
             InputStream in = gzipped(file) ? new GZIPInputStream(raw, 1 << 16) : raw) {
            CsvBlocks blocks = new CsvBlocks(in, BLOCK_BYTES);
            for (Connection c : open) {
                streams.add(pool.submit(() -> stream(c, t, queue, blocks)));
            }
            for (Optional<Block> b = blocks.next(); b.isPresent(); b = blocks.next()) {
                hand(queue, b.get());
            }
            raw.verify(file);
            for (int i = 0; i < streams.size(); i++) {
                hand(queue, END);
            }
        } catch (StreamFailed e) {
            collect(streams); // throws the stream's own error
            throw new IllegalStateException("a COPY stream of " + t.file() + " failed without an error");
        } catch (IOException | RuntimeException e) {
            cancelAll();
            awaitQuietly(streams);
            throw e instanceof IOException io
                    ? new PgsubsetException("reading " + file + " failed: " + Messages.firstLine(io), io)
                    : (RuntimeException) e;
        }
        long rows = 0;
        for (long r : collect(streams)) {
            rows += r;
        }
        return done(t, rows, start);
    }

    /** Puts a block on the queue, giving up when a stream failed (nobody would take it). */
    private void hand(BlockingQueue<Block> queue, Block b) throws InterruptedException {
        while (!queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
            if (failed) {
                throw new StreamFailed();
            }
        }
    }

    /** A table not loaded because another one failed: a consequence, not the error to report. */
    private static final class NotLoaded extends PgsubsetException {
        NotLoaded(TableEntry t, String why) {
            super("not loaded: " + t.schema() + "." + t.name() + " (" + why + ")");
        }
    }

    /** The reader stops because a COPY stream failed; that stream's error is the one to report. */
    private static final class StreamFailed extends RuntimeException {
        StreamFailed() {
            super(null, null, false, false);
        }
    }

    /** One COPY stream of a split table: blocks from the queue until END. */
    private long stream(Connection c, TableEntry t, BlockingQueue<Block> queue, CsvBlocks blocks) {
        copying.add(c);
        CopyIn copy = null;
        try {
            copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(RestoreScript.copyStatement(t, false));
            while (true) {
                Block b = queue.poll(100, TimeUnit.MILLISECONDS);
                if (b == null) {
                    if (failed) {
                        throw new NotLoaded(t, "another COPY failed");
                    }
                } else if (b == END) {
                    return copy.endCopy();
                } else {
                    copy.writeToCopy(b.bytes(), 0, b.length());
                    blocks.recycle(b);
                }
            }
        } catch (SQLException e) {
            throw failure(t, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted("interrupted while loading " + t.schema() + "." + t.name());
        } finally {
            copying.remove(c);
            if (copy != null && copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException e) {
                    failed = true; // the connection is lost; its transaction rolls back with it
                }
            }
        }
    }

    private TableRows done(TableEntry t, long rows, long start) {
        long millis = (System.nanoTime() - start) / 1_000_000;
        listener.tableDone(t, rows, millis);
        return new TableRows(t.schema(), t.name(), rows, t.rows(), t.bytes(), millis);
    }

    private PgsubsetException failure(TableEntry t, SQLException e) {
        failed = true;
        return new PgsubsetException("loading " + t.schema() + "." + t.name() + " from " + t.file() + " failed: "
                + Messages.firstLine(e), e);
    }

    /** Results in order; a failure cancels the rest, and the first one that is a cause is thrown. */
    private <T> List<T> collect(List<Future<T>> futures) throws InterruptedException {
        List<T> results = new ArrayList<>();
        RuntimeException first = null;
        for (Future<T> f : futures) {
            try {
                results.add(f.get());
            } catch (ExecutionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
                        : new PgsubsetException(Messages.firstLine(e.getCause()), e.getCause());
                if (first == null || first instanceof NotLoaded && !(cause instanceof NotLoaded)) {
                    first = cause;
                }
                cancelAll();
            }
        }
        if (first != null) {
            throw first;
        }
        return results;
    }

    private static void awaitQuietly(List<? extends Future<?>> futures) {
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException | InterruptedException e) {
                // the first failure is what the caller reports
                continue;
            }
        }
    }

    private Connection openInTransaction() {
        Connection c = target.open();
        try {
            Session.configure(c);
            c.setAutoCommit(false);
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw new PgsubsetException("preparing a COPY connection failed: " + Messages.firstLine(e), e);
        }
    }

    private static boolean gzipped(Path file) {
        return file.getFileName().toString().endsWith(".gz");
    }

    private void cancelAll() {
        failed = true;
        for (Connection c : copying) {
            try {
                c.unwrap(org.postgresql.jdbc.PgConnection.class).cancelQuery();
            } catch (SQLException e) {
                // the COPY ends anyway when its connection closes
                continue;
            }
        }
    }

    /** Cancels what still runs, waits for every thread to end, then closes each connection. */
    private void shutDown(ExecutorService pool, List<Connection> open) {
        pool.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.SECONDS)) {
                    break;
                }
                cancelAll();
            } catch (InterruptedException e) {
                interrupted = true;
                cancelAll();
                pool.shutdownNow();
            }
        }
        open.forEach(ParallelLoad::closeQuietly);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closing without commit rolls the connection's transaction back. */
    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // nothing was committed on it; the server ends the transaction with the session
            return;
        }
    }

    /** The raw bytes of a data file as they are read: their sha256, and progress (compressed size for .gz). */
    private final class Checked extends FilterInputStream {
        private final TableEntry table;
        private final MessageDigest sha256;

        Checked(InputStream in, TableEntry table) {
            super(in);
            this.table = table;
            try {
                this.sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                sha256.update(b, off, n);
                listener.progress(table, n);
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                sha256.update((byte) b);
                listener.progress(table, 1);
            }
            return b;
        }

        /** Skipped bytes are read too: the checksum covers every byte. */
        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
            int read = n > 0 ? read(buf, 0, buf.length) : 0;
            return Math.max(read, 0);
        }

        /** Reads what the loader left (a gzip trailer), then compares with the manifest. */
        void verify(Path file) throws IOException {
            transferTo(OutputStream.nullOutputStream());
            String actual = HexFormat.of().formatHex(sha256.digest());
            if (!actual.equalsIgnoreCase(table.sha256())) {
                failed = true;
                throw DumpCheck.damaged(file, actual, table);
            }
        }
    }
}
