package io.pgsubset.dump;

import io.pgsubset.catalog.Table;
import io.pgsubset.connect.Connector;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.subset.TableSubset;
import io.pgsubset.copy.LeaderOnly;
import io.pgsubset.copy.Scheduler;
import io.pgsubset.copy.Task;
import io.pgsubset.transform.TransformKey;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes every data file. With one job the leader's connection copies; with N jobs, N worker
 * connections on the leader's snapshot take pieces of work through the {@link Scheduler}, largest
 * first, so the longest COPY starts at once and the small ones fill the gaps. A piece is a whole
 * table, or one block range of a table big enough to bound the dump (see {@link TableSplits}), so
 * that even a dump dominated by one table keeps every job busy. A table a worker cannot lock
 * without queueing (see {@link SnapshotSession#lockBeforeCopy}) is copied by the leader.
 */
final class DataDump {
    /** One data file to write. */
    record Job(Table table, TableSubset subset, String file, double weight) {
    }

    /** How the data files are split into pieces of work. */
    record Splitting(int serverMajor, long partBytes) {
    }

    /** One COPY: a whole table or one block range of a split one. */
    private abstract class Piece implements Task<SnapshotSession> {
        final Job job;

        Piece(Job job) {
            this.job = job;
        }

        /** On a worker, first its own lock on the table (see {@link SnapshotSession#lockBeforeCopy}). */
        @Override
        public final void run(SnapshotSession session) {
            try {
                session.lockBeforeCopy(job.table());
            } catch (LeaderOnly e) {
                listener.step(e.getMessage() + "; the leader's connection, which holds its lock, copies it");
                throw e;
            }
            copy(session);
        }

        abstract void copy(SnapshotSession session);
    }

    private final class Whole extends Piece {
        Whole(Job job) {
            super(job);
        }

        @Override
        public double weight() {
            return job.weight();
        }

        @Override
        void copy(SnapshotSession session) {
            done.put(job, copier.copy(session.connection(), job, dir, gzip));
        }
    }

    private final class Part extends Piece {
        private final SplitFile split;
        private final int part;

        Part(SplitFile split, int part) {
            super(split.job());
            this.split = split;
            this.part = part;
        }

        @Override
        public double weight() {
            return job.weight() / split.parts();
        }

        @Override
        void copy(SnapshotSession session) {
            copier.copyPart(session.connection(), split, part).ifPresent(e -> done.put(job, e));
        }
    }

    private final DumpListener listener;
    private final TableCopier copier;
    private final Path dir;
    private final boolean gzip;
    private final Splitting splitting;
    private final Map<Job, Manifest.TableEntry> done = new ConcurrentHashMap<>();
    private volatile Scheduler<SnapshotSession> scheduler;
    private volatile Throwable aborted;

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
            // the scheduler's sort is stable: the parts of a table keep their order, so the first ones
            // finish (and append) first
            scheduler = new Scheduler<>(Optional.of(leader), jobs, () -> leader.join(connector), "copy");
            if (aborted != null) {
                scheduler.abort(aborted);
            }
            scheduler.run(pieces);
            List<Manifest.TableEntry> out = new ArrayList<>();
            for (Job j : work) {
                out.add(done.get(j));
            }
            return Collections.unmodifiableList(out);
        } finally {
            splits.forEach(SplitFile::close);
        }
    }

    /** Stops the copy from another thread (pg_dump failed): {@link #run} throws {@code cause}. */
    void abort(Throwable cause) {
        aborted = cause;
        Scheduler<SnapshotSession> s = scheduler;
        if (s != null) {
            s.abort(cause);
        }
    }
}
