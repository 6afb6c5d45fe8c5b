package io.pgsubset.dump;

import io.pgsubset.connect.Connector;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;
import io.pgsubset.sql.Session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * A connection inside a REPEATABLE READ, READ ONLY transaction on the dump's one snapshot: the
 * leader exports it, workers (and pg_dump) import it, so every table is read as of one instant.
 */
final class SnapshotSession implements AutoCloseable {
    /** The first statement of the transaction the driver opens (autocommit off, so savepoints work too). */
    private static final String BEGIN = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

    /** The snapshot time in UTC, ISO-8601, independent of the session's TimeZone. */
    private static final String EXPORT_SQL = """
            SELECT pg_catalog.pg_export_snapshot(),
                   pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""";

    private static final String LOCK_TIMEOUT_SQL = "SELECT pg_catalog.set_config('lock_timeout', ?, false)";

    private final Connection conn;
    private final String snapshotId;
    private final String snapshotTime;

    private SnapshotSession(Connection conn, String snapshotId, String snapshotTime) {
        this.conn = conn;
        this.snapshotId = snapshotId;
        this.snapshotTime = snapshotTime;
    }

    /** Opens the leader: begins the transaction and exports its snapshot. */
    static SnapshotSession export(Connector connector, Optional<String> lockWaitTimeout) {
        Connection conn = connector.open();
        try {
            prepare(conn, lockWaitTimeout);
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement()) {
                st.execute(BEGIN);
                try (ResultSet rs = st.executeQuery(EXPORT_SQL)) {
                    rs.next();
                    return new SnapshotSession(conn, rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(conn, e);
            if (e instanceof PgsubsetException pe) {
                throw pe;
            }
            throw new PgsubsetException("could not start the dump's snapshot transaction: "
                    + DumpErrors.firstLine(e), e);
        }
    }

    /** Opens a worker on the leader's snapshot. */
    SnapshotSession join(Connector connector) {
        Connection worker = connector.open();
        try {
            prepare(worker, Optional.empty());
            worker.setAutoCommit(false);
            try (Statement st = worker.createStatement()) {
                st.execute(BEGIN);
                st.execute("SET TRANSACTION SNAPSHOT " + io.pgsubset.sql.Ident.literal(snapshotId));
            }
            return new SnapshotSession(worker, snapshotId, snapshotTime);
        } catch (SQLException e) {
            closeQuietly(worker, e);
            throw new PgsubsetException("could not open a worker connection on the dump's snapshot "
                    + snapshotId + ": " + DumpErrors.firstLine(e), e);
        }
    }

    /**
     * Fixed output settings (see {@link Session}), no statement or idle timeouts that would kill a
     * long dump, and row security off as pg_dump does: a table the role may only partly see fails
     * loudly instead of silently losing rows.
     */
    private static void prepare(Connection conn, Optional<String> lockWaitTimeout) throws SQLException {
        conn.setAutoCommit(true);
        Session.configure(conn);
        try (Statement st = conn.createStatement()) {
            st.execute("SET statement_timeout = 0");
            st.execute("SET idle_in_transaction_session_timeout = 0");
            st.execute("SET row_security = off");
        }
        if (lockWaitTimeout.isPresent()) {
            try (PreparedStatement ps = conn.prepareStatement(LOCK_TIMEOUT_SQL)) {
                ps.setString(1, lockWaitTimeout.get());
                ps.execute();
            } catch (SQLException e) {
                throw new UsageException("invalid --lock-wait-timeout \"" + lockWaitTimeout.get() + "\": "
                        + DumpErrors.firstLine(e) + " (use e.g. 30s, 2min or milliseconds)", e);
            }
        }
    }

    Connection connection() {
        return conn;
    }

    String snapshotId() {
        return snapshotId;
    }

    String snapshotTime() {
        return snapshotTime;
    }

    /** Ends the read-only transaction; nothing was written, so this only releases locks. */
    @Override
    public void close() {
        try {
            if (!conn.isClosed()) {
                try {
                    conn.rollback();
                } catch (SQLException e) {
                    // the connection is going away anyway; a failed ROLLBACK changes nothing on the server
                    conn.close();
                    return;
                }
                conn.close();
            }
        } catch (SQLException e) {
            throw new PgsubsetException("could not close a dump connection: " + DumpErrors.firstLine(e), e);
        }
    }

    private static void closeQuietly(Connection conn, Exception primary) {
        try {
            conn.close();
        } catch (SQLException e) {
            primary.addSuppressed(e);
        }
    }
}
