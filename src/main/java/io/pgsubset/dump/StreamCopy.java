package io.pgsubset.dump;

import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.Table;
import io.pgsubset.connect.Connector;
import io.pgsubset.copy.Freeze;
import io.pgsubset.copy.Lane;
import io.pgsubset.copy.LoadSink;
import io.pgsubset.copy.ServerCopy;
import io.pgsubset.copy.Sink;
import io.pgsubset.copy.TargetConnection;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.RowDigest;
import io.pgsubset.transform.TransformKey;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;



/**
 * The clone's pairing of the copy engine: each piece of work ({@link TableCopier}: a table, or a
 * block range of a big full table, exactly the pieces of {@code dump --jobs}) streamed into a
 * {@code COPY ... FROM STDIN} on a target connection ({@link LoadSink}), the row digest computed on
 * the way; a table loaded whole is written frozen ({@link Freeze}). Pairs of connections are the
 * lanes; every target connection commits only after every piece succeeded, so a failed clone loads
 * no data.
 */
final class StreamCopy {
    private static final String SAVEPOINT_PIECE = "SAVEPOINT pgsubset_piece";
    private static final String RELEASE_PIECE = "RELEASE SAVEPOINT pgsubset_piece";
    private static final String ROLLBACK_PIECE = "ROLLBACK TO SAVEPOINT pgsubset_piece";
    private static final int TARGET_CHECK_SECONDS = 10;

    /** A source session and a target connection in a transaction. */
    static final class Pair implements Lane {
        private final SnapshotSession source;
        private final TargetConnection target;
        private final boolean ownsSource;
        /** The target has a piece's savepoint; the lane's own thread alone touches these. */
        private boolean savepoint;
        /** The last piece began on the target and its rows were not all loaded. */
        private boolean unfinished;

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

        /**
         * A lost source connection is replaced (see {@link SnapshotSession#reconnect}); the target
         * drops what the piece loaded when it starts again ({@link #beginPiece}), keeping the earlier
         * pieces of its transaction. A lost target connection took those with it: then the clone
         * fails.
         */
        @Override
        public boolean reconnect() {
            try {
                return target.connection().isValid(TARGET_CHECK_SECONDS) && source.reconnect();
            } catch (SQLException e) {
                return false;
            }
        }

        /**
         * Sets the savepoint a piece can be rolled back to (the previous piece's is released, so
         * they do not pile up); a piece whose sink did not finish (its source connection was lost)
         * is rolled back to it instead.
         */
        void beginPiece() throws SQLException {
            try (Statement st = target.connection().createStatement()) {
                st.execute(unfinished ? ROLLBACK_PIECE : savepoint ? RELEASE_PIECE + "; " + SAVEPOINT_PIECE
                        : SAVEPOINT_PIECE);
            }
            savepoint = true;
            unfinished = true;
        }

        /** The piece's rows are loaded (in the target's transaction, not yet committed). */
        void pieceLoaded() {
            unfinished = false;
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

    /** The sums of a table's pieces; the last piece to arrive reports the table. */
    private final class IntoTable implements TableCopier.Destination<Pair, CopiedTable> {
        private final DataDump.Job job;
        private final SelectList select;
        private int left;
        private long rows;
        private long bytes;
        private String digest;
        /** The lane that copies each piece: told when the piece's rows are in (see {@link Pair#beginPiece}). */
        private final Pair[] lanes;

        IntoTable(DataDump.Job job, SelectList select, int parts) {
            this.job = job;
            this.select = select;
            this.left = parts;
            this.lanes = new Pair[parts];
        }

        @Override
        public Sink open(Pair lane, int part) throws SQLException {
            QualifiedName t = job.table().name();
            lane.beginPiece();
            lanes[part] = lane;
            Connection c = lane.target.connection();
            // a table in block ranges is loaded by several transactions: none may truncate it
            boolean freeze = lanes.length == 1 && Freeze.prepare(c, t.schema(), t.name());
            return LoadSink.open(c, ServerCopy.copyFromStdin(t.schema(), t.name(), select.columns(), false, freeze),
                    t.display());
        }

        @Override
        public synchronized Optional<CopiedTable> arrived(int part, Sink.Arrived arrived, long csvBytes, long nanos) {
            lanes[part].pieceLoaded();
            rows += arrived.rows();
            bytes += csvBytes;
            digest = digest == null ? arrived.rowDigest() : RowDigest.combine(digest, arrived.rowDigest());
            if (--left > 0) {
                return Optional.empty();
            }
            Table t = job.table();
            if (job.subset().counted() && rows != job.subset().rows()) {
                throw new PgsubsetException("copy of " + t.name().display() + ": " + rows + " rows arrived where "
                        + "the subset selected " + job.subset().rows() + "; nothing was committed");
            }
            CopiedTable s = new CopiedTable(t.name(), job.subset().plan().mode().keyword(), select.columns(), rows,
                    job.subset().rows(), job.subset().counted(), digest, bytes, nanos);
            listener.tableFinished(t.name(), new Manifest.TableEntry(t.name().schema(), t.name().name(), s.mode(),
                    s.columns(), rows, bytes, "", "", digest, select.describeTransforms()), nanos);
            return Optional.of(s);
        }

        @Override
        public RuntimeException failed(int part, IOException e) {
            return new PgsubsetException("copy of " + job.table().name().display() + " failed: "
                    + Messages.firstLine(e), e);
        }
    }

    private final DumpListener listener;
    private final TransformKey transformKey;

    StreamCopy(DumpListener listener, TransformKey transformKey) {
        this.listener = listener;
        this.transformKey = transformKey;
    }

    /** Copies every job's rows into the target; in the order of {@code work}. */
    List<CopiedTable> run(SnapshotSession leader, Connector source, Supplier<Connection> target, int jobs,
                          DataDump.Splitting splitting, List<DataDump.Job> work) {
        TableCopier<Pair, CopiedTable> copier = new TableCopier<>(listener, transformKey, p -> p.source,
                IntoTable::new, "clone");
        Pair leaderPair = new Pair(leader, TargetConnection.open(target), false);
        boolean ok = false;
        try {
            List<CopiedTable> out = copier.run(leader, leaderPair, () -> openPair(leader, source, target), jobs,
                    splitting, work);
            leaderPair.finish();
            ok = true;
            return out;
        } finally {
            try {
                leaderPair.close();
            } catch (RuntimeException e) {
                if (ok) {
                    throw e;
                }
            }
        }
    }

    private static Pair openPair(SnapshotSession leader, Connector source, Supplier<Connection> target) {
        SnapshotSession worker = leader.join(source);
        try {
            return new Pair(worker, TargetConnection.open(target), true);
        } catch (RuntimeException e) {
            worker.close();
            throw e;
        }
    }
}
