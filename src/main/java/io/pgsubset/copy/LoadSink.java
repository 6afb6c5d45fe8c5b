package io.pgsubset.copy;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A table's {@code COPY ... FROM STDIN} as a sink: the row digest is a {@link Tee} in front of it,
 * and the rows the server loaded must be the records sent.
 */
public final class LoadSink extends Sink {
    private final ServerCopy.In in;
    private final Tee tee;
    private final String table;

    private LoadSink(ServerCopy.In in, String table) {
        this.in = in;
        this.tee = new Tee(in, false);
        this.table = table;
    }

    /**
     * Starts {@code sql}, a COPY ... FROM STDIN without HEADER, on {@code conn}.
     *
     * @param table the table as messages name it
     */
    public static LoadSink open(Connection conn, String sql, String table) throws SQLException {
        return new LoadSink(ServerCopy.in(conn, sql), table);
    }

    @Override
    public boolean header() {
        return false;
    }

    @Override
    public void write(int b) throws IOException {
        tee.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        tee.write(b, off, len);
    }

    @Override
    public long rows() {
        return tee.rows();
    }

    @Override
    public Arrived finish() throws IOException, SQLException {
        long loaded = in.finish();
        if (loaded != tee.rows()) {
            throw new IOException("the target loaded " + loaded + " rows of the " + tee.rows() + " sent to " + table);
        }
        return new Arrived(loaded, tee.digest());
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
