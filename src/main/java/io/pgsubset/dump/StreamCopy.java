package io.pgsubset.dump;

import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.Table;
import io.pgsubset.copy.Lane;
import io.pgsubset.copy.LeaderOnly;
import io.pgsubset.copy.Scheduler;
import io.pgsubset.copy.ServerCopy;
import io.pgsubset.copy.TargetConnection;
import io.pgsubset.copy.Task;
import io.pgsubset.copy.Tee;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.RowDigest;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The data of a clone: each piece of work (a table, or a block range of a big full table, exactly
 * the pieces of {@code dump --jobs}) is a {@code COPY ... TO STDOUT} on a source session of the
 * snapshot streamed into a {@code COPY ... FROM STDIN} on a target connection, the row digest
 * computed on the way. Pairs of connections are the {@link Scheduler}'s lanes; every target
 * connection commits only after every piece succeeded, so a failed clone loads no data.
 */
final class StreamCopy {
    /** A source session and a target connection in a transaction. */
    static final class Pair implements Lane {
        private final SnapshotSession source;
        private final TargetConnection target;
        private final boolean ownsSource;

        Pair(SnapshotSession source, TargetConnection target, boolean ownsSource) {
            this.source = source;
            this.target = target;
            this.ownsSource = ownsSource;
        }

        @Override
        public void cancel() {
            source.cancel();
            target.cancel();
        }

        @Override
        public void finish() {
            target.finish();
        }

        /** Closing without a commit rolls the target's transaction back. */
        @Override
        public void close() {
            RuntimeException first = null;
            try {
                target.close();
            } catch (RuntimeException e) {
                first = e;
            }
            if (ownsSource) {
                try {
                    source.close();
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    /** The sums of a table copied as several pieces; the last piece to finish reports the table. */
    private final class Totals {
        private final DataDump.Job job;
        private final SelectList select;
        private int left;
        private long rows;
        private long bytes;
        private String digest;
        private long started;

        Totals(DataDump.Job job, int pieces) {
            this.job = job;
            this.select = select(job);
            this.left = pieces;
        }

        synchronized void start() {
            if (started == 0) {
                started = System.nanoTime();
                listener.tableStarted(job.table().name(), job.subset().rows());
            }
        }

        synchronized void add(long pieceRows, long pieceBytes, String pieceDigest) {
            rows += pieceRows;
            bytes += pieceBytes;
            digest = digest == null ? pieceDigest : RowDigest.combine(digest, pieceDigest);
            if (--left == 0) {
                Table t = job.table();
                if (job.subset().counted() && rows != job.subset().rows()) {
                    throw new PgsubsetException("copy of " + t.name().display() + ": " + rows + " rows arrived where "
                            + "the subset selected " + job.subset().rows() + "; nothing was committed");
                }
                long nanos = System.nanoTime() - started;
                CopiedTable s = new CopiedTable(t.name(), job.subset().plan().mode().keyword(), select.columns(), rows,
                        job.subset().rows(), job.subset().counted(), digest, bytes, nanos);
                done.put(job, s);
                listener.tableFinished(t.name(), new Manifest.TableEntry(t.name().schema(), t.name().name(), s.mode(),
                        s.columns(), rows, bytes, "", "", digest, select.describeTransforms()), nanos);
            }
        }
    }

    /** One pair of COPYs: a whole table, or one block range. */
    private final class Piece implements Task<Pair> {
        private final Totals totals;
        private final List<String> predicates;
        private final double weight;

        Piece(Totals totals, List<String> predicates, double weight) {
            this.totals = totals;
            this.predicates = predicates;
            this.weight = weight;
        }

        @Override
        public double weight() {
            return weight;
        }

        @Override
        public void run(Pair pair) {
            Table table = totals.job.table();
            try {
                pair.source.lockBeforeCopy(table);
            } catch (LeaderOnly e) {
                listener.step(e.getMessage() + "; the leader's connection, which holds its lock, copies it");
                throw e;
            }
            totals.start();
            String into = ServerCopy.copyFromStdin(table.name().schema(), table.name().name(),
                    totals.select.columns(), false);
            long bytes = 0;
            try (ServerCopy.In in = ServerCopy.in(pair.target.connection(), into)) {
                Tee tee = new Tee(in, false);
                for (String predicate : predicates) {
                    long before = bytes;
                    bytes += ServerCopy.out(pair.source.connection(),
                            CopyQuery.sql(table, totals.select, predicate, false), tee,
                            b -> listener.tableProgress(table.name(), tee.rows(), before + b));
                }
                long loaded = in.finish();
                if (loaded != tee.rows()) {
                    throw new PgsubsetException("copy of " + table.name().display() + ": the target loaded " + loaded
                            + " rows of the " + tee.rows() + " sent");
                }
                totals.add(loaded, bytes, tee.digest());
            } catch (SQLException e) {
                throw new PgsubsetException("copy of " + table.name().display() + " failed: " + Messages.firstLine(e), e);
            } catch (IOException e) {
                throw new PgsubsetException("copy of " + table.name().display() + " failed: " + Messages.firstLine(e), e);
            }
        }
    }

    private final DumpListener listener;
    private final io.pgsubset.transform.TransformKey transformKey;
    private final Map<DataDump.Job, CopiedTable> done = new ConcurrentHashMap<>();

    StreamCopy(DumpListener listener, io.pgsubset.transform.TransformKey transformKey) {
        this.listener = listener;
        this.transformKey = transformKey;
    }

    private SelectList select(DataDump.Job job) {
        return new SelectList(job.table(), CopyQuery.ALIAS, job.subset().nulledColumns(),
                job.subset().plan().transforms(), transformKey);
    }

    /** Copies every job's rows into the target; in the order of {@code work}. */
    List<CopiedTable> run(SnapshotSession leader, io.pgsubset.connect.Connector source, Supplier<Connection> target,
                       int jobs, int serverMajor, long partBytes, List<DataDump.Job> work) {
        List<DataDump.Job> ordered = new ArrayList<>(work);
        ordered.sort((a, b) -> Double.compare(b.weight(), a.weight()));
        Map<DataDump.Job, List<BlockRange>> ranges = TableSplits.plan(leader.connection(), serverMajor, jobs,
                partBytes, ordered);
        List<Piece> pieces = new ArrayList<>();
        for (DataDump.Job j : ordered) {
            List<BlockRange> r = ranges.get(j);
            if (r == null) {
                pieces.add(new Piece(new Totals(j, 1), TableCopier.predicates(j.subset().selection()), j.weight()));
                continue;
            }
            listener.step("copying " + j.table().name().display() + " as " + r.size() + " block ranges");
            Totals totals = new Totals(j, r.size());
            String selection = TableCopier.predicates(j.subset().selection()).get(0);
            for (BlockRange range : r) {
                pieces.add(new Piece(totals, List.of(selection + " AND " + range.predicate(CopyQuery.ALIAS)),
                        j.weight() / r.size()));
            }
        }
        Pair leaderPair = new Pair(leader, TargetConnection.open(target), false);
        boolean ok = false;
        try {
            new Scheduler<>(Optional.of(leaderPair), jobs, () -> openPair(leader, source, target), "clone")
                    .run(pieces);
            leaderPair.finish();
            ok = true;
        } finally {
            try {
                leaderPair.close();
            } catch (RuntimeException e) {
                if (ok) {
                    throw e;
                }
            }
        }
        List<CopiedTable> out = new ArrayList<>();
        for (DataDump.Job j : work) {
            out.add(done.get(j));
        }
        return out;
    }

    private static Pair openPair(SnapshotSession leader, io.pgsubset.connect.Connector source,
                                 Supplier<Connection> target) {
        SnapshotSession worker = leader.join(source);
        try {
            return new Pair(worker, TargetConnection.open(target), true);
        } catch (RuntimeException e) {
            worker.close();
            throw e;
        }
    }
}
