package io.pgsubset.dump;

import io.pgsubset.catalog.Table;
import io.pgsubset.connect.Connector;
import io.pgsubset.copy.Lane;
import io.pgsubset.copy.LeaderOnly;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;
import io.pgsubset.sql.Ident;
import io.pgsubset.sql.Session;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A connection inside a REPEATABLE READ, READ ONLY transaction on the dump's one snapshot: the
 * leader exports it, workers (and pg_dump) import it, so every table is read as of one instant.
 *
 * <p>The leader locks every table it dumps for the whole dump. A worker, as pg_dump's do, takes
 * its own ACCESS SHARE lock with NOWAIT before it reads a table: a lock request queued on the
 * table since the leader locked it (a migration's ALTER TABLE) would otherwise queue the worker
 * behind it while the leader waits for the worker, a stall the server cannot see as a deadlock.
 * Such a table goes to the leader's connection, which already holds its lock ({@link LeaderOnly}).
 * Workers also get a {@code lock_timeout} for any other lock their queries need, and every
 * connection TCP keep-alives (see {@link Connector}), so neither a lock queue nor a half-open
 * connection can hang a worker.
 */
final class SnapshotSession implements AutoCloseable, Lane {
    /** The first statement of the transaction the driver opens (autocommit off, so savepoints work too). */
    private static final String BEGIN = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

    /** The snapshot time in UTC, ISO-8601, independent of the session's TimeZone. */
    private static final String EXPORT_SQL = """
            SELECT pg_catalog.pg_export_snapshot(),
                   pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""";

    private static final String LOCK_TIMEOUT_SQL = "SELECT pg_catalog.set_config('lock_timeout', ?, false)";

    /**
     * How long a worker's query waits for a lock other than its table's (taken with NOWAIT), unless
     * --lock-wait-timeout says otherwise: the leader holds every dumped table's lock, so a longer
     * wait is a queue behind the dump itself.
     */
    static final String WORKER_LOCK_TIMEOUT = "10s";

    private final Connection conn;
    private final String snapshotId;
    private final String snapshotTime;
    private final Optional<String> lockWaitTimeout;
    private final boolean worker;
    /** Tables this worker holds a lock on (a worker only). */
    private final Set<Long> locked = new HashSet<>();

    private SnapshotSession(Connection conn, String snapshotId, String snapshotTime, Optional<String> lockWaitTimeout,
                            boolean worker) {
        this.conn = conn;
        this.snapshotId = snapshotId;
        this.snapshotTime = snapshotTime;
        this.lockWaitTimeout = lockWaitTimeout;
        this.worker = worker;
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
                    return new SnapshotSession(conn, rs.getString(1), rs.getString(2), lockWaitTimeout, false);
                }
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(conn, e);
            if (e instanceof PgsubsetException pe) {
                throw pe;
            }
            throw new PgsubsetException("could not start the dump's snapshot transaction: "
                    + Messages.firstLine(e), e);
        }
    }

    /** Opens a worker on the leader's snapshot. */
    SnapshotSession join(Connector connector) {
        Connection worker = connector.open();
        try {
            prepare(worker, Optional.of(lockWaitTimeout.orElse(WORKER_LOCK_TIMEOUT)));
            worker.setAutoCommit(false);
            try (Statement st = worker.createStatement()) {
                st.execute(BEGIN);
                st.execute("SET TRANSACTION SNAPSHOT " + Ident.literal(snapshotId));
            }
            return new SnapshotSession(worker, snapshotId, snapshotTime, lockWaitTimeout, true);
        } catch (SQLException e) {
            closeQuietly(worker, e);
            throw new PgsubsetException("could not open a worker connection on the dump's snapshot "
                    + snapshotId + ": " + Messages.firstLine(e), e);
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
            // one round trip; the server's side of the keep-alives: a vanished client's session (and
            // its locks) ends within minutes
            st.execute("SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0; SET row_security = off; "
                    + "SET tcp_keepalives_idle = 60; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 6");
        }
        if (lockWaitTimeout.isPresent()) {
            try (PreparedStatement ps = conn.prepareStatement(LOCK_TIMEOUT_SQL)) {
                ps.setString(1, lockWaitTimeout.get());
                ps.execute();
            } catch (SQLException e) {
                throw new UsageException("invalid --lock-wait-timeout \"" + lockWaitTimeout.get() + "\": "
                        + Messages.firstLine(e) + " (use e.g. 30s, 2min or milliseconds)", e);
            }
        }
    }

    Connection connection() {
        return conn;
    }

    /** The lock is taken in a savepoint, so a refusal leaves the worker's transaction usable. */
    private static final String LOCK_NOWAIT_SQL = "SAVEPOINT pgsubset_lock; LOCK TABLE %s IN ACCESS SHARE MODE NOWAIT; "
            + "RELEASE SAVEPOINT pgsubset_lock";

    /**
     * Before a worker reads {@code table}: its own lock, without waiting. Nothing to do on the
     * leader, which locked every table at the start. Throws {@link LeaderOnly} when another
     * session's request is queued on the table.
     */
    void lockBeforeCopy(Table table) {
        if (!worker || locked.contains(table.oid())) {
            return;
        }
        try (Statement st = conn.createStatement()) {
            st.execute(String.format(LOCK_NOWAIT_SQL, table.name().sql()));
            locked.add(table.oid());
        } catch (SQLException e) {
            if (!"55P03".equals(e.getSQLState())) {
                throw new PgsubsetException("could not lock table " + table.name().display() + " (ACCESS SHARE): "
                        + Messages.firstLine(e), e);
            }
            throw new LeaderOnly(queued(table));
        }
    }

    private static final String QUEUED_SQL = """
            SELECT l.pid, l.mode, pg_catalog.left(pg_catalog.regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 80)
              FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'relation' AND NOT l.granted
               AND l.relation IN (SELECT ?::pg_catalog.oid
                                  UNION ALL SELECT i.inhrelid FROM pg_catalog.pg_inherits i WHERE i.inhparent = ?)
             ORDER BY l.pid LIMIT 1""";

    /** Names the session whose queued lock request refused a worker's NOWAIT (after rolling back to the savepoint). */
    private String queued(Table table) {
        String who = "another session's lock request";
        try (Statement st = conn.createStatement()) {
            st.execute("ROLLBACK TO SAVEPOINT pgsubset_lock");
            try (PreparedStatement ps = conn.prepareStatement(QUEUED_SQL)) {
                ps.setLong(1, table.oid());
                ps.setLong(2, table.oid());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        who = "session " + rs.getInt(1) + " (" + rs.getString(2)
                                + (rs.getString(3).isBlank() ? "" : ", " + rs.getString(3)) + ")";
                    }
                }
            }
        } catch (SQLException e) {
            throw new PgsubsetException("could not lock table " + table.name().display() + " (ACCESS SHARE): "
                    + Messages.firstLine(e), e);
        }
        return "table " + table.name().display() + ": " + who + " waits for it behind this dump's lock, so a worker "
                + "cannot lock it without queueing behind that session";
    }

    /** Cancels the running query, from another thread; the failure it causes is reported by whoever failed first. */
    @Override
    public void cancel() {
        try {
            conn.unwrap(PGConnection.class).cancelQuery();
        } catch (SQLException | RuntimeException e) {
            // the connection is gone already, or cannot be reached: its query ends with it
            return;
        }
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
            throw new PgsubsetException("could not close a dump connection: " + Messages.firstLine(e), e);
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
