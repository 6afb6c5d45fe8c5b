package io.pgsubset.copy;

import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.sql.Connections;
import io.pgsubset.sql.Session;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * A target connection as a lane (or a lane's target half): one transaction that commits only in
 * {@link #finish}, after every piece of the run succeeded; closing it without that rolls back, so
 * a failed restore or clone loads no data.
 */
public final class TargetConnection implements Lane {
    private final Connection conn;

    private TargetConnection(Connection conn) {
        this.conn = conn;
    }

    /** Opens a connection with the fixed session settings, in a transaction. */
    public static TargetConnection open(Supplier<Connection> open) {
        Connection c = open.get();
        try {
            Session.configure(c);
            c.setAutoCommit(false);
            return new TargetConnection(c);
        } catch (SQLException e) {
            Connections.closeAfter(c, e);
            throw new PgsubsetException("preparing a target connection failed: " + Messages.firstLine(e), e);
        }
    }

    public Connection connection() {
        return conn;
    }

    @Override
    public void cancel() {
        Lane.cancelQuietly(conn);
    }

    @Override
    public void finish() {
        try {
            conn.commit();
        } catch (SQLException e) {
            throw new PgsubsetException("committing the loaded data failed: " + Messages.firstLine(e), e);
        }
    }

    /** Closing without a commit rolls the transaction back. */
    @Override
    public void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new PgsubsetException("closing a target connection failed: " + Messages.firstLine(e), e);
        }
    }
}
