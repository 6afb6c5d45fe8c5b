package io.pgsubset.dump;

import io.pgsubset.catalog.Table;
import io.pgsubset.copy.Lane;
import io.pgsubset.copy.LeaderOnly;
import io.pgsubset.copy.Scheduler;
import io.pgsubset.copy.Sink;
import io.pgsubset.copy.Task;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.subset.RowSelection;
import io.pgsubset.transform.TransformKey;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The source half of every pairing of the copy engine (a dump's data files, a clone's target
 * tables, any other {@link Sink}): each table's selected rows as pieces of work, the whole table
 * or one block range of a table big enough to bound the run ({@link TableSplits}), each piece a
 * {@code COPY (SELECT ...) TO STDOUT (FORMAT csv)} on a session of the snapshot streamed into the
 * sink its {@link Destination} opens. The server renders every value; Java only moves the bytes.
 * The {@link Scheduler} runs the pieces heaviest first on {@code jobs} lanes; a worker first takes
 * its own lock on the table without waiting ({@link SnapshotSession#lockBeforeCopy}), and a table
 * it cannot lock goes to the leader's lane, which holds the lock.
 *
 * @param <L> the lanes: a snapshot session alone, or paired with a target connection
 * @param <R> what a copied table comes to (a manifest entry, a copied table's counts)
 */
final class TableCopier<L extends Lane, R> {
    /** Keys per COPY statement of a keyed selection: big enough for few round trips, small enough to parse fast. */
    static final int MAX_KEYS_PER_PREDICATE = 20_000;

    /** Where a pairing puts the tables' rows. */
    interface Target<L, R> {
        /** The destination of one table, copied as {@code parts} pieces (1: whole). */
        Destination<L, R> table(DataDump.Job job, SelectList select, int parts);
    }

    /** One table's destination. */
    interface Destination<L, R> {
        /**
         * The sink of piece {@code part}, opened on the lane that copies it when the piece starts.
         * Opened again for the same part when the piece runs again on a reconnected lane (see
         * {@link Scheduler}): what the earlier sink of that part wrote must then be discarded.
         */
        Sink open(L lane, int part) throws IOException, SQLException;

        /**
         * Piece {@code part} finished with {@code csvBytes} bytes of CSV, {@code nanos} after the
         * table's first piece started; returns the table's result to the piece that completes it.
         */
        Optional<R> arrived(int part, Sink.Arrived arrived, long csvBytes, long nanos) throws IOException;

        /** A sink of this table failed to write or finish: the error to report. */
        RuntimeException failed(int part, IOException e);

        /** After the run, complete or not: releases what is still open; never throws. */
        default void release() {
        }
    }

    private final DumpListener listener;
    private final TransformKey transformKey;
    private final Function<L, SnapshotSession> sourceOf;
    private final Target<L, R> target;
    private final String name;
    /** By identity: a job's record equality compares whole tables and selections, costly per lookup. */
    private final Map<DataDump.Job, R> done = Collections.synchronizedMap(new IdentityHashMap<>());
    private volatile Scheduler<L> scheduler;
    private volatile Throwable aborted;

    /**
     * @param sourceOf the snapshot session of a lane
     * @param name     names the threads, e.g. "copy"
     */
    TableCopier(DumpListener listener, TransformKey transformKey, Function<L, SnapshotSession> sourceOf,
                Target<L, R> target, String name) {
        this.listener = listener;
        this.transformKey = transformKey;
        this.sourceOf = sourceOf;
        this.target = target;
        this.name = name;
    }

    /**
     * Copies every job's rows; results in the order of {@code work}.
     *
     * @param leader the leader's session (splits are planned on it) and its lane, which the calling thread serves
     * @param open   opens a worker's lane (a session joined to the leader's snapshot)
     */
    List<R> run(SnapshotSession leader, L leaderLane, Supplier<L> open, int jobs, DataDump.Splitting splitting,
                List<DataDump.Job> work) {
        List<Destination<L, R>> destinations = new ArrayList<>();
        try {
            List<Piece> pieces = pieces(leader, jobs, splitting, work, destinations);
            scheduler = new Scheduler<>(Optional.of(leaderLane), jobs, open, name).onRetry(listener::warning);
            if (aborted != null) {
                scheduler.abort(aborted);
            }
            scheduler.run(pieces);
            return results(work);
        } finally {
            destinations.forEach(Destination::release);
        }
    }

    /**
     * Starts copying {@code work} on {@code jobs} worker lanes and returns at once: the calling
     * thread is free for other work on the leader's session (a dump's closure, while the tables it
     * cannot change copy). {@link Started#add} gives more jobs, {@link Started#finish} waits.
     */
    Started start(SnapshotSession leader, L leaderLane, Supplier<L> open, int jobs, DataDump.Splitting splitting,
                  List<DataDump.Job> work) {
        Started started = new Started(jobs, splitting);
        scheduler = new Scheduler<>(Optional.of(leaderLane), jobs, open, name).onRetry(listener::warning);
        if (aborted != null) {
            scheduler.abort(aborted);
        }
        try {
            started.jobs.addAll(work);
            scheduler.start(pieces(leader, jobs, splitting, work, started.destinations));
        } catch (RuntimeException e) {
            started.abandon(e);
            throw e;
        }
        return started;
    }

    /** A copy under way ({@link #start}). */
    final class Started {
        private final int lanes;
        private final DataDump.Splitting splitting;
        private final List<DataDump.Job> jobs = new ArrayList<>();
        private final List<Destination<L, R>> destinations = Collections.synchronizedList(new ArrayList<>());

        private Started(int lanes, DataDump.Splitting splitting) {
            this.lanes = lanes;
            this.splitting = splitting;
        }

        /** More jobs, split on the leader's session as {@link #run} splits them. */
        void add(SnapshotSession leader, List<DataDump.Job> more) {
            jobs.addAll(more);
            scheduler.add(pieces(leader, lanes, splitting, more, destinations));
        }

        /** Waits for every job; results in the order the jobs were given. */
        List<R> finish() {
            try {
                scheduler.finish();
                return results(jobs);
            } finally {
                List.copyOf(destinations).forEach(Destination::release);
            }
        }

        /** Whether a piece has failed (or the copy was aborted): {@link #finish} then throws why. */
        boolean failed() {
            return scheduler.failed();
        }

        /**
         * The run goes no further ({@code cause}: the closure failed): every lane is cancelled,
         * joined and closed; a failure of the copy itself is added to {@code cause} as suppressed.
         */
        void abandon(RuntimeException cause) {
            scheduler.abort(cause);
            try {
                finish();
            } catch (RuntimeException e) {
                if (e != cause) {
                    cause.addSuppressed(e);
                }
            }
        }
    }

    private List<R> results(List<DataDump.Job> work) {
        List<R> out = new ArrayList<>();
        for (DataDump.Job j : work) {
            out.add(done.get(j));
        }
        return Collections.unmodifiableList(out);
    }

    /** The jobs as pieces of work, heaviest first: a big full table as block ranges ({@link TableSplits}). */
    private List<Piece> pieces(SnapshotSession leader, int jobs, DataDump.Splitting splitting,
                               List<DataDump.Job> work, List<Destination<L, R>> destinations) {
        List<DataDump.Job> ordered = new ArrayList<>(work);
        ordered.sort((a, b) -> Double.compare(b.weight(), a.weight()));
        leader.copyOrder(ordered.stream().map(DataDump.Job::table).toList());
        Map<DataDump.Job, List<BlockRange>> ranges = TableSplits.plan(leader.connection(), splitting.serverMajor(),
                jobs, splitting.partBytes(), ordered);
        List<Piece> pieces = new ArrayList<>();
        for (DataDump.Job j : ordered) {
            List<String> predicates = predicates(j.subset().selection());
            List<BlockRange> r = ranges.get(j);
            CopiedRows table = new CopiedRows(j, r == null ? 1 : r.size(), destinations);
            if (r == null) {
                pieces.add(new Piece(table, 0, predicates, j.weight()));
                continue;
            }
            listener.step("copying " + j.table().name().display() + " as " + r.size() + " block ranges");
            // the scheduler keeps the order of equal weights: the parts of a table keep their order, so
            // the first ones finish (and append, for a data file) first
            for (int p = 0; p < r.size(); p++) {
                pieces.add(new Piece(table, p, List.of(predicates.get(0) + " AND " + r.get(p).predicate(CopyQuery.ALIAS)),
                        j.weight() / r.size()));
            }
        }
        return pieces;
    }

    /** Stops the copy from another thread (e.g. pg_dump failed): {@link #run} throws {@code cause}. */
    void abort(Throwable cause) {
        aborted = cause;
        Scheduler<L> s = scheduler;
        if (s != null) {
            s.abort(cause);
        }
    }

    /** One table's pieces: their destination, and the progress the listener sees summed over them. */
    private final class CopiedRows {
        final DataDump.Job job;
        final SelectList select;
        final Destination<L, R> destination;
        private final long[] rows;
        private final long[] bytes;
        private long started;

        CopiedRows(DataDump.Job job, int parts, List<Destination<L, R>> all) {
            this.job = job;
            this.select = new SelectList(job.table(), CopyQuery.ALIAS, job.subset().nulledColumns(),
                    job.subset().plan().transforms(), transformKey);
            this.destination = target.table(job, select, parts);
            all.add(destination);
            this.rows = new long[parts];
            this.bytes = new long[parts];
        }

        /** The table's progress starts with its first piece, whichever lane takes it. */
        synchronized long start() {
            if (started == 0) {
                started = System.nanoTime();
                listener.tableStarted(job.table().name(), job.subset().rows());
            }
            return started;
        }

        synchronized void progress(int part, long partRows, long partBytes) {
            rows[part] = partRows;
            bytes[part] = partBytes;
            long r = 0;
            long b = 0;
            for (int i = 0; i < rows.length; i++) {
                r += rows[i];
                b += bytes[i];
            }
            listener.tableProgress(job.table().name(), r, b);
        }
    }

    /** One piece: a COPY per predicate (a keyed selection has several), into one sink. */
    private final class Piece implements Task<L> {
        private final CopiedRows table;
        private final int part;
        private final List<String> predicates;
        private final double weight;

        Piece(CopiedRows table, int part, List<String> predicates, double weight) {
            this.table = table;
            this.part = part;
            this.predicates = predicates;
            this.weight = weight;
        }

        @Override
        public double weight() {
            return weight;
        }

        @Override
        public void run(L lane) {
            Table t = table.job.table();
            SnapshotSession source = sourceOf.apply(lane);
            try {
                source.lockBeforeCopy(t);
            } catch (LeaderOnly e) {
                listener.step(e.getMessage() + "; the leader's connection, which holds its lock, copies it");
                throw e;
            }
            long started = table.start();
            Optional<R> result;
            try (Sink sink = table.destination.open(lane, part)) {
                long bytes = 0;
                for (int i = 0; i < predicates.size(); i++) {
                    long before = bytes;
                    String sql = CopyQuery.sql(t, table.select, predicates.get(i), sink.header() && i == 0);
                    bytes += source.copyOut(sql, sink, b -> table.progress(part, sink.rows(), before + b));
                }
                result = table.destination.arrived(part, sink.finish(), bytes, System.nanoTime() - started);
            } catch (SQLException e) {
                throw new PgsubsetException("COPY of " + t.name().display() + " failed: " + Messages.firstLine(e), e);
            } catch (IOException e) {
                throw table.destination.failed(part, e);
            }
            result.ifPresent(r -> done.put(table.job, r));
        }
    }

    /** The WHERE conditions, one COPY each; a selection without rows still writes the header. */
    static List<String> predicates(RowSelection selection) {
        if (selection instanceof RowSelection.AllRows all) {
            return List.of(all.condition().map(c -> "(" + c + ")")
                    .orElse(CopyQuery.EVERY_ROW));
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
