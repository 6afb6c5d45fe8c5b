package io.pgsubset.dump;

import io.pgsubset.catalog.Table;
import io.pgsubset.connect.Connector;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.subset.TableSubset;
import org.postgresql.PGConnection;

import io.pgsubset.transform.TransformKey;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes every data file. With one job the leader's connection copies; with N jobs, N worker
 * connections on the leader's snapshot take pieces of work from one queue, largest first, so the
 * longest COPY starts at once and the small ones fill the gaps. A piece is a whole table, or one
 * block range of a table big enough to bound the dump (see {@link TableSplits}), so that even a
 * dump dominated by one table keeps every job busy.
 */
final class DataDump {
    /** One data file to write. */
    record Job(Table table, TableSubset subset, String file, double weight) {
    }

    /** How the data files are split into pieces of work. */
    record Splitting(int serverMajor, long partBytes) {
    }

    /** One COPY for a worker. */
    private sealed interface Piece {
        double weight();
    }

    private record Whole(Job job) implements Piece {
        @Override
        public double weight() {
            return job.weight();
        }
    }

    private record Part(SplitFile split, int part) implements Piece {
        @Override
        public double weight() {
            return split.job().weight() / split.parts();
        }
    }

    private final DumpListener listener;
    private final TableCopier copier;
    private final Path dir;
    private final boolean gzip;
    private final Splitting splitting;

    DataDump(DumpListener listener, Path dir, boolean gzip, TransformKey transformKey, Splitting splitting) {
        this.listener = listener;
        this.copier = new TableCopier(listener, transformKey);
        this.dir = dir;
        this.gzip = gzip;
        this.splitting = splitting;
    }

    List<Manifest.TableEntry> run(SnapshotSession leader, Connector connector, int jobs, List<Job> work) {
        List<Job> ordered = new ArrayList<>(work);
        ordered.sort((a, b) -> Double.compare(b.weight(), a.weight()));
        Map<Job, List<BlockRange>> ranges = TableSplits.plan(leader.connection(), splitting.serverMajor(), jobs,
                splitting.partBytes(), ordered);
        List<SplitFile> splits = new ArrayList<>();
        try {
            List<Piece> pieces = new ArrayList<>();
            for (Job j : ordered) {
                List<BlockRange> r = ranges.get(j);
                if (r == null) {
                    pieces.add(new Whole(j));
                    continue;
                }
                SplitFile split = SplitFile.create(j, r, dir, gzip, listener);
                splits.add(split);
                listener.step("copying " + j.table().name().display() + " as " + r.size() + " block ranges");
                for (int p = 0; p < r.size(); p++) {
                    pieces.add(new Part(split, p));
                }
            }
            // stable: the parts of a table keep their order, so the first ones finish (and append) first
            pieces.sort((a, b) -> Double.compare(b.weight(), a.weight()));
            Map<Job, Manifest.TableEntry> done = jobs == 1 || pieces.size() <= 1
                    ? sequential(leader, pieces)
                    : parallel(leader, connector, Math.min(jobs, pieces.size()), pieces);
            List<Manifest.TableEntry> out = new ArrayList<>();
            for (Job j : work) {
                out.add(done.get(j));
            }
            return Collections.unmodifiableList(out);
        } finally {
            splits.forEach(SplitFile::close);
        }
    }

    private Map<Job, Manifest.TableEntry> sequential(SnapshotSession leader, List<Piece> pieces) {
        Map<Job, Manifest.TableEntry> done = new HashMap<>();
        for (Piece p : pieces) {
            copy(leader, p, done);
        }
        return done;
    }

    /** Copies one piece; records the table's entry when its data file is complete. */
    private void copy(SnapshotSession session, Piece piece, Map<Job, Manifest.TableEntry> done) {
        if (piece instanceof Whole w) {
            done.put(w.job(), copier.copy(session.connection(), w.job(), dir, gzip));
        } else if (piece instanceof Part p) {
            copier.copyPart(session.connection(), p.split(), p.part()).ifPresent(e -> done.put(p.split().job(), e));
        }
    }

    private Map<Job, Manifest.TableEntry> parallel(SnapshotSession leader, Connector connector, int jobs,
                                                   List<Piece> work) {
        List<SnapshotSession> workers = new ArrayList<>();
        try {
            for (int i = 0; i < jobs; i++) {
                workers.add(leader.join(connector));
            }
            ConcurrentLinkedQueue<Piece> queue = new ConcurrentLinkedQueue<>(work);
            Map<Job, Manifest.TableEntry> done = new ConcurrentHashMap<>();
            AtomicReference<RuntimeException> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                SnapshotSession worker = workers.get(i);
                Thread t = new Thread(() -> drain(worker, queue, done, failure, workers), "pgsubset-copy-" + (i + 1));
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                join(t, threads);
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            return done;
        } finally {
            for (SnapshotSession w : workers) {
                w.close();
            }
        }
    }

    private void drain(SnapshotSession worker, ConcurrentLinkedQueue<Piece> queue, Map<Job, Manifest.TableEntry> done,
                       AtomicReference<RuntimeException> failure, List<SnapshotSession> all) {
        Piece p;
        while (failure.get() == null && (p = queue.poll()) != null) {
            try {
                copy(worker, p, done);
            } catch (RuntimeException e) {
                if (failure.compareAndSet(null, e)) {
                    cancelOthers(worker, all);
                }
                return;
            }
        }
    }

    /** Cancels the other workers' running COPY so a failed dump stops at once. */
    private static void cancelOthers(SnapshotSession failed, List<SnapshotSession> all) {
        for (SnapshotSession w : all) {
            if (w != failed) {
                try {
                    w.connection().unwrap(PGConnection.class).cancelQuery();
                } catch (SQLException e) {
                    // the worker ends at its next statement anyway: the failure is already recorded
                    continue;
                }
            }
        }
    }

    private static void join(Thread t, List<Thread> all) {
        try {
            t.join();
        } catch (InterruptedException e) {
            all.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            throw new PgsubsetException("interrupted while writing data files", e);
        }
    }
}
