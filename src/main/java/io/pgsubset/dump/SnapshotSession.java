package io.pgsubset.dump;

import io.pgsubset.catalog.Table;
import io.pgsubset.connect.Connector;
import io.pgsubset.copy.Lane;
import io.pgsubset.copy.LeaderOnly;
import io.pgsubset.copy.RateLimit;
import io.pgsubset.copy.ServerCopy;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;
import io.pgsubset.sql.Connections;
import io.pgsubset.sql.Ident;
import io.pgsubset.sql.Session;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    /**
     * The snapshot time in UTC, ISO-8601, independent of the session's TimeZone; and, in the same
     * round trip, whether the source is a standby that may cancel the dump's queries.
     */
    private static final String EXPORT_SQL = """
            SELECT pg_catalog.pg_export_snapshot(),
                   pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   pg_catalog.pg_is_in_recovery(),
                   pg_catalog.current_setting('hot_standby_feedback')::boolean,
                   pg_catalog.current_setting('max_standby_streaming_delay')""";

    private static final String SET_SQL = "SELECT pg_catalog.set_config(?, ?, false)";

    /**
     * How long a worker's query waits for a lock other than its table's (taken with NOWAIT), unless
     * --lock-wait-timeout says otherwise: the leader holds every dumped table's lock, so a longer
     * wait is a queue behind the dump itself.
     */
    static final String WORKER_LOCK_TIMEOUT = "10s";

    /** Replaced when a worker reconnects ({@link #reconnect}); read by {@link #cancel} from other threads. */
    private volatile Connection conn;
    private final String snapshotId;
    private final String snapshotTime;
    private final Optional<String> lockWaitTimeout;
    private final boolean worker;
    /** The leader's statement_timeout is on until it copies rows (see {@link #untimed}). */
    private boolean timed;
    private Optional<Standby> standby = Optional.empty();
    /** The open sessions of this snapshot, the leader's included (the leader's set, shared by its workers). */
    private final Set<SnapshotSession> family;
    /** --max-rate: one budget for every session of the snapshot. */
    private final RateLimit rate;
    /** Where a worker reconnects; none for the leader. */
    private final Optional<Connector> connector;
    /** Tables this worker holds a lock on (a worker only). */
    private final Set<Long> locked = new HashSet<>();
    /** The workers' connections the leader opened while it started (the leader's, shared with its workers). */
    private final WorkerConnections workerConnections;
    /** The order the copy hands tables out in (the leader's, shared with its workers). */
    private final CopyOrder order;

    private SnapshotSession(Connection conn, String snapshotId, String snapshotTime, Optional<String> lockWaitTimeout,
                            boolean worker, Set<SnapshotSession> family, RateLimit rate,
                            Optional<Connector> connector, WorkerConnections workerConnections, CopyOrder order) {
        this.conn = conn;
        this.snapshotId = snapshotId;
        this.snapshotTime = snapshotTime;
        this.lockWaitTimeout = lockWaitTimeout;
        this.worker = worker;
        this.family = family;
        this.rate = rate;
        this.connector = connector;
        this.workerConnections = workerConnections;
        this.order = order;
        family.add(this);
    }

    /** A source that is a hot standby: whether it asks the primary to keep rows, and how long replay waits. */
    record Standby(boolean feedback, String maxStreamingDelay) {
    }

    /**
     * The leader's transaction begun and its snapshot exported, before the leader exists: on a
     * connection opened while the command started ({@link SnapshotAhead}), or by {@link #export}.
     */
    record Begun(Connection conn, String snapshotId, String snapshotTime, Optional<Standby> standby, boolean timed) {
    }

    /**
     * Sets up the leader's session on {@code conn} (see {@link #prepare}), with {@code
     * statementTimeout} when given, and begins its transaction; the caller closes {@code conn}
     * when this throws.
     */
    static Begun begin(Connection conn, Optional<String> statementTimeout) throws SQLException {
        prepare(conn, Optional.empty());
        if (statementTimeout.isPresent()) {
            set(conn, "statement_timeout", statementTimeout.get(), "--statement-timeout");
        }
        conn.setAutoCommit(false);
        try (Statement st = conn.createStatement()) {
            st.execute(BEGIN);
            try (ResultSet rs = st.executeQuery(EXPORT_SQL)) {
                rs.next();
                Optional<Standby> standby = rs.getBoolean(3)
                        ? Optional.of(new Standby(rs.getBoolean(4), rs.getString(5)))
                        : Optional.empty();
                return new Begun(conn, rs.getString(1), rs.getString(2), standby, statementTimeout.isPresent());
            }
        }
    }

    /**
     * Opens the leader: begins the transaction and exports its snapshot, or takes {@code ahead},
     * where that is done already. {@code statementTimeout} bounds the leader's statements until it
     * copies rows ({@link #untimed}). The connections of {@code workers} workers open meanwhile,
     * once the leader's is open ({@link WorkerConnections}).
     */
    static SnapshotSession export(Optional<Begun> ahead, Connector connector, Optional<String> lockWaitTimeout,
                                  Optional<String> statementTimeout, RateLimit rate, int workers) {
        Connection conn = ahead.isPresent() ? ahead.get().conn() : connector.open();
        // after the leader's: the first connection of a process is the slow one (the driver's
        // first run), and the workers' would only compete with it for the CPU
        WorkerConnections workerConnections = workers > 0
                ? WorkerConnections.open(workers, connector, c -> prepareWorker(c, lockWaitTimeout))
                : WorkerConnections.none();
        try {
            Begun begun = ahead.isPresent() ? ahead.get() : begin(conn, statementTimeout);
            if (lockWaitTimeout.isPresent()) {
                set(conn, "lock_timeout", lockWaitTimeout.get(), "--lock-wait-timeout");
            }
            SnapshotSession leader = new SnapshotSession(conn, begun.snapshotId(), begun.snapshotTime(),
                    lockWaitTimeout, false, ConcurrentHashMap.newKeySet(), rate, Optional.empty(), workerConnections,
                    new CopyOrder());
            leader.timed = begun.timed();
            leader.standby = begun.standby();
            return leader;
        } catch (SQLException | RuntimeException e) {
            Connections.closeAfter(conn, e);
            workerConnections.close();
            throw startFailure(e);
        }
    }

    /** {@code e}, thrown while the leader's transaction began, as the command reports it. */
    static PgsubsetException startFailure(Exception e) {
        if (e instanceof PgsubsetException pe) {
            return pe;
        }
        return new PgsubsetException("could not start the dump's snapshot transaction: " + Messages.firstLine(e), e);
    }

    /** Opens a worker on the leader's snapshot, on a connection opened in advance when one is left. */
    SnapshotSession join(Connector connector) {
        Connection conn = openedInAdvance().orElseGet(() -> connectWorker(connector));
        return new SnapshotSession(onSnapshot(conn), snapshotId, snapshotTime, lockWaitTimeout, true, family, rate,
                Optional.of(connector), workerConnections, order);
    }

    private Optional<Connection> openedInAdvance() {
        try {
            return workerConnections.take();
        } catch (SQLException e) {
            throw workerFailure(e);
        }
    }

    /**
     * A worker whose connection was lost gets a new one on the same snapshot, which lives as long
     * as the leader's transaction; its table locks are taken again as it copies. The leader
     * cannot: its snapshot is gone with its connection.
     */
    @Override
    public boolean reconnect() {
        if (!worker) {
            return false;
        }
        closeLost(conn);
        locked.clear();
        conn = onSnapshot(connectWorker(connector.orElseThrow()));
        return true;
    }

    private static void closeLost(Connection lost) {
        try {
            lost.close();
        } catch (SQLException e) {
            // the connection is gone already: closing it only released the client's side
            return;
        }
    }

    private Connection connectWorker(Connector connector) {
        try {
            return WorkerConnections.connect(connector, c -> prepareWorker(c, lockWaitTimeout));
        } catch (SQLException e) {
            throw workerFailure(e);
        }
    }

    /** A worker's connection (see {@link #prepareWorker}) in a transaction on the leader's snapshot. */
    private Connection onSnapshot(Connection worker) {
        try {
            worker.setAutoCommit(false);
            try (Statement st = worker.createStatement()) {
                st.execute(BEGIN);
                st.execute("SET TRANSACTION SNAPSHOT " + Ident.literal(snapshotId));
            }
            return worker;
        } catch (SQLException e) {
            Connections.closeAfter(worker, e);
            throw workerFailure(e);
        }
    }

    private PgsubsetException workerFailure(SQLException e) {
        return new PgsubsetException("could not open a worker connection on the dump's snapshot "
                + snapshotId + ": " + Messages.firstLine(e), e);
    }

    private static void prepareWorker(Connection conn, Optional<String> lockWaitTimeout) throws SQLException {
        prepare(conn, Optional.of(lockWaitTimeout.orElse(WORKER_LOCK_TIMEOUT)));
    }

    /**
     * Fixed output settings (see {@link Session}), row security off as pg_dump does (a table the
     * role may only partly see fails loudly instead of silently losing rows), and none of the
     * source's timeouts that would end a long dump: the source's (or role's, or database's)
     * {@code statement_timeout}, {@code idle_in_transaction_session_timeout} (the leader is idle
     * in its transaction while workers copy) and, from PostgreSQL 17, {@code transaction_timeout};
     * every role may SET them. From PostgreSQL 14 the server also checks every second that the
     * client is still there while a query runs, so a query of a killed dump does not run on.
     */
    private static void prepare(Connection conn, Optional<String> lockWaitTimeout) throws SQLException {
        conn.setAutoCommit(true);
        Session.configure(conn);
        int major = conn.getMetaData().getDatabaseMajorVersion();
        try (Statement st = conn.createStatement()) {
            // one round trip; the server's side of the keep-alives: a vanished client's session (and
            // its locks) ends within minutes
            st.execute("SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0; SET row_security = off; "
                    + "SET tcp_keepalives_idle = 60; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 6"
                    + (major >= 14 ? "; SET client_connection_check_interval = 1000" : "")
                    + (major >= 17 ? "; SET transaction_timeout = 0" : ""));
        }
        if (lockWaitTimeout.isPresent()) {
            set(conn, "lock_timeout", lockWaitTimeout.get(), "--lock-wait-timeout");
        }
    }

    /** Sets a timeout the user gave; a value the server does not take is a usage error naming the option. */
    private static void set(Connection conn, String setting, String value, String option) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(SET_SQL)) {
            ps.setString(1, setting);
            ps.setString(2, value);
            ps.execute();
        } catch (SQLException e) {
            throw new UsageException("invalid " + option + " \"" + value + "\": " + Messages.firstLine(e)
                    + " (use e.g. 30s, 2min or milliseconds)", e);
        }
    }

    /**
     * Before the leader copies rows (a table, large objects): its statements are no longer timed.
     * --statement-timeout is for the catalog and closure; a COPY takes as long as the data.
     */
    void untimed() {
        if (!timed) {
            return;
        }
        try (Statement st = conn.createStatement()) {
            st.execute("SET statement_timeout = 0");
            timed = false;
        } catch (SQLException e) {
            throw new PgsubsetException("could not lift the statement timeout before copying: "
                    + Messages.firstLine(e), e);
        }
    }

    /** Whether the connection still answers (a lost one does not, or not within seconds). */
    boolean alive() {
        try {
            return conn.isValid(ALIVE_SECONDS);
        } catch (SQLException e) {
            return false;
        }
    }

    private static final int ALIVE_SECONDS = 5;

    /** Whether the source is a hot standby, with its settings that decide whether it may cancel the dump's queries. */
    Optional<Standby> standby() {
        return standby;
    }

    Connection connection() {
        return conn;
    }

    /**
     * Streams {@code sql} (a COPY ... TO STDOUT) into {@code sink}, held to --max-rate with every
     * other copy of the snapshot; returns the bytes.
     */
    long copyOut(String sql, OutputStream sink, ServerCopy.Progress progress) throws SQLException, IOException {
        OutputStream paced = rate.throttle(sink);
        long bytes = ServerCopy.out(conn, sql, paced, progress);
        paced.flush();
        return bytes;
    }

    /** Tables a worker locks in one statement: the one it needs and the next ones of the {@link CopyOrder}. */
    static final int LOCK_AHEAD = 32;

    /**
     * Before a worker reads {@code table}: its own lock, without waiting, taken together with the
     * locks of the next tables the copy hands out; when one of those is refused, {@code table}'s
     * alone. On the leader, which locked every table at the start, only the statement timeout is
     * lifted ({@link #untimed}). Throws {@link LeaderOnly} when another session's request is queued
     * on the table.
     */
    void lockBeforeCopy(Table table) {
        if (!worker) {
            untimed();
            return;
        }
        if (locked.contains(table.oid())) {
            return;
        }
        Optional<SQLException> refused;
        try (Statement st = conn.createStatement()) {
            List<Table> ahead = order.from(table, LOCK_AHEAD, locked::contains);
            // the next tables with it; when one of them is refused, the table alone
            refused = TableLocks.tryLock(st, ahead, true);
            if (refused.isPresent() && ahead.size() > 1) {
                ahead = List.of(table);
                refused = TableLocks.tryLock(st, ahead, true);
            }
            if (refused.isEmpty()) {
                ahead.forEach(t -> locked.add(t.oid()));
                return;
            }
        } catch (SQLException e) {
            throw lockFailure(table, e);
        }
        if (!"55P03".equals(refused.get().getSQLState())) {
            throw lockFailure(table, refused.get());
        }
        throw new LeaderOnly(queued(table));
    }

    private static PgsubsetException lockFailure(Table table, SQLException e) {
        return new PgsubsetException("could not lock table " + table.name().display() + " (ACCESS SHARE): "
                + Messages.firstLine(e), e);
    }

    /** The order the copy hands {@code tables} out in, for the workers' locks ({@link #lockBeforeCopy}). */
    void copyOrder(List<Table> tables) {
        order.append(tables);
    }

    private static final String QUEUED_SQL = """
            SELECT l.pid, l.mode, pg_catalog.left(pg_catalog.regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 80)
              FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'relation' AND NOT l.granted
               AND l.relation IN (SELECT ?::pg_catalog.oid
                                  UNION ALL SELECT i.inhrelid FROM pg_catalog.pg_inherits i WHERE i.inhparent = ?)
             ORDER BY l.pid LIMIT 1""";

    /** Names the session whose queued lock request refused a worker's NOWAIT (rolled back to the savepoint). */
    private String queued(Table table) {
        String who = "another session's lock request";
        try (PreparedStatement ps = conn.prepareStatement(QUEUED_SQL)) {
            ps.setLong(1, table.oid());
            ps.setLong(2, table.oid());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    who = "session " + rs.getInt(1) + " (" + rs.getString(2)
                            + (rs.getString(3).isBlank() ? "" : ", " + rs.getString(3)) + ")";
                }
            }
        } catch (SQLException e) {
            throw lockFailure(table, e);
        }
        return "table " + table.name().display() + ": " + who + " waits for it behind this dump's lock, so a worker "
                + "cannot lock it without queueing behind that session";
    }

    /**
     * Cancels the running query of every open session of this snapshot (Ctrl-C, SIGTERM), from
     * another thread: the server stops now, not when it next writes to a closed socket.
     */
    void cancelAll() {
        family.forEach(SnapshotSession::cancel);
    }

    /** Cancels the running query, from another thread; the failure it causes is reported by whoever failed first. */
    @Override
    public void cancel() {
        Lane.cancelQuietly(conn);
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
        family.remove(this);
        if (!worker) {
            workerConnections.close();
        }
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
}
