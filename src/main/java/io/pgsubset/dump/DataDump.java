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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes every data file. With one job the leader's connection copies; with N jobs, N worker
 * connections on the leader's snapshot take tables from one queue, largest first, so the
 * longest COPY starts at once and the small ones fill the gaps.
 */
final class DataDump {
    /** One data file to write. */
    record Job(Table table, TableSubset subset, String file, double weight) {
    }

    private final TableCopier copier;
    private final Path dir;
    private final boolean gzip;

    DataDump(DumpListener listener, Path dir, boolean gzip, TransformKey transformKey) {
        this.copier = new TableCopier(listener, transformKey);
        this.dir = dir;
        this.gzip = gzip;
    }

    List<Manifest.TableEntry> run(SnapshotSession leader, Connector connector, int jobs, List<Job> work) {
        List<Job> ordered = new ArrayList<>(work);
        ordered.sort((a, b) -> Double.compare(b.weight(), a.weight()));
        if (jobs == 1 || ordered.size() <= 1) {
            List<Manifest.TableEntry> out = new ArrayList<>();
            for (Job j : ordered) {
                out.add(copier.copy(leader.connection(), j.table(), j.subset(), dir, j.file(), gzip));
            }
            return out;
        }
        return parallel(leader, connector, Math.min(jobs, ordered.size()), ordered);
    }

    private List<Manifest.TableEntry> parallel(SnapshotSession leader, Connector connector, int jobs, List<Job> work) {
        List<SnapshotSession> workers = new ArrayList<>();
        try {
            for (int i = 0; i < jobs; i++) {
                workers.add(leader.join(connector));
            }
            ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>(work);
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
            List<Manifest.TableEntry> out = new ArrayList<>();
            for (Job j : work) {
                out.add(done.get(j));
            }
            return Collections.unmodifiableList(out);
        } finally {
            for (SnapshotSession w : workers) {
                w.close();
            }
        }
    }

    private void drain(SnapshotSession worker, ConcurrentLinkedQueue<Job> queue, Map<Job, Manifest.TableEntry> done,
                       AtomicReference<RuntimeException> failure, List<SnapshotSession> all) {
        Job j;
        while (failure.get() == null && (j = queue.poll()) != null) {
            try {
                done.put(j, copier.copy(worker.connection(), j.table(), j.subset(), dir, j.file(), gzip));
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
