package io.pgsubset.copy;

import io.pgsubset.error.Messages;
import io.pgsubset.sql.Ident;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The two server ends of a copy: {@code COPY ... TO STDOUT} as a source streamed into any sink,
 * and {@code COPY ... FROM STDIN} as a sink. Bytes only: the server renders and parses every
 * value. A COPY that fails or is abandoned is cancelled, so its connection is usable (or at least
 * not stuck) afterwards.
 */
public final class ServerCopy {
    private static final int IN_BUFFER = 1 << 16;
    private static final long PROGRESS_EVERY_BYTES = 1 << 20;

    private ServerCopy() {
    }

    /** Told the bytes streamed so far, about every megabyte and at the end. */
    public interface Progress {
        void bytes(long total);
    }

    /**
     * Streams the output of {@code sql} (a COPY ... TO STDOUT) into {@code sink}; returns the bytes.
     * An interrupt of the calling thread stops it ({@link InterruptedIOException}).
     */
    public static long out(Connection conn, String sql, OutputStream sink, Progress progress)
            throws SQLException, IOException {
        CopyOut out = conn.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
        try {
            long total = 0;
            long reported = 0;
            byte[] buf;
            while ((buf = out.readFromCopy()) != null) {
                sink.write(buf, 0, buf.length);
                total += buf.length;
                if (total - reported >= PROGRESS_EVERY_BYTES) {
                    reported = total;
                    progress.bytes(total);
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("copy cancelled");
                }
            }
            progress.bytes(total);
            return total;
        } finally {
            if (out.isActive()) {
                out.cancelCopy();
            }
        }
    }

    /** {@code COPY "schema"."table" (columns) FROM STDIN (FORMAT csv[, HEADER])}: the explicit list skips generated columns. */
    public static String copyFromStdin(String schema, String table, List<String> columns, boolean header) {
        return copyFromStdin(schema, table, columns, header, false);
    }

    /** As above, with FREEZE when {@code freeze} (see {@link Freeze#prepare}). */
    public static String copyFromStdin(String schema, String table, List<String> columns, boolean header,
                                       boolean freeze) {
        return "COPY " + Ident.quote(schema, table) + " (" + Ident.list(columns)
                + ") FROM STDIN (FORMAT csv" + (header ? ", HEADER" : "") + (freeze ? ", FREEZE" : "") + ")";
    }

    /** Starts {@code sql} (a COPY ... FROM STDIN): write the bytes, then {@link In#finish}. */
    public static In in(Connection conn, String sql) throws SQLException {
        return new In(conn.unwrap(PGConnection.class).getCopyAPI().copyIn(sql));
    }

    /**
     * A running COPY FROM STDIN: small writes (a server's COPY TO sends one row per message) are
     * gathered into 64 kB messages, big ones (a data file's blocks) go out as they are. Closing it
     * without finish cancels it.
     */
    public static final class In extends OutputStream {
        private final CopyIn copy;
        private final byte[] buf = new byte[IN_BUFFER];
        private int fill;
        private boolean finished;

        private In(CopyIn copy) {
            this.copy = copy;
        }

        @Override
        public void write(int b) throws IOException {
            if (fill == buf.length) {
                drain();
            }
            buf[fill++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > buf.length - fill) {
                drain();
                if (len >= buf.length) {
                    send(b, off, len);
                    return;
                }
            }
            System.arraycopy(b, off, buf, fill, len);
            fill += len;
        }

        private void drain() throws Failed {
            if (fill > 0) {
                send(buf, 0, fill);
                fill = 0;
            }
        }

        private void send(byte[] b, int off, int len) throws Failed {
            try {
                copy.writeToCopy(b, off, len);
            } catch (SQLException e) {
                throw new Failed(e);
            }
        }

        /** Ends the COPY; returns the rows the server loaded. */
        public long finish() throws SQLException, IOException {
            drain();
            finished = true;
            return copy.endCopy();
        }

        /** Cancels the COPY unless it finished: the rows sent so far are not loaded. */
        @Override
        public void close() throws IOException {
            if (!finished && copy.isActive()) {
                finished = true;
                try {
                    copy.cancelCopy();
                } catch (SQLException e) {
                    throw new IOException("could not cancel a COPY FROM STDIN", e);
                }
            }
        }
    }

    /**
     * The server refused bytes of a COPY FROM STDIN (a bad row, a cancel, a lost connection): an
     * {@link IOException} to the streams in between, with the server's first line as its message.
     */
    public static final class Failed extends IOException {
        private final SQLException server;

        Failed(SQLException server) {
            super(Messages.firstLine(server), server);
            this.server = server;
        }

        public SQLException server() {
            return server;
        }
    }
}
