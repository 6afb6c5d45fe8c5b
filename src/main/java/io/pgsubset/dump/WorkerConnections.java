package io.pgsubset.dump;

import io.pgsubset.connect.Connector;
import io.pgsubset.sql.Connections;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The workers' connections, opened as soon as the leader's is, while it exports the snapshot and
 * reads the catalog: a connection costs a server process and authentication, so a worker whose
 * connection waited for the leader's locks started copying late (a third of a second of a small
 * dump). Not before the leader's: a process's first connection is the slow one (the driver's
 * first run) and the others would only compete with it for the CPU. Each connection is only
 * connected and configured here; it joins the snapshot when a worker takes it ({@link
 * SnapshotSession#join}).
 * A connection that failed fails the worker that takes it, with the same message as one opened
 * then; those no worker took are closed with the leader.
 */
final class WorkerConnections {
    private final Deque<CompletableFuture<Connection>> ready = new ArrayDeque<>();

    private WorkerConnections() {
    }

    /** None: every worker opens its own connection when it starts. */
    static WorkerConnections none() {
        return new WorkerConnections();
    }

    /** Starts opening {@code count} connections, each on its own thread. */
    static WorkerConnections open(int count, Connector connector, Configure configure) {
        WorkerConnections c = new WorkerConnections();
        for (int i = 0; i < count; i++) {
            CompletableFuture<Connection> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    f.complete(connect(connector, configure));
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            }, "pgsubset-connect-" + (i + 1));
            t.setDaemon(true);
            t.start();
            c.ready.add(f);
        }
        return c;
    }

    /**
     * The next connection opened in advance, once it is open; empty when none is left. Throws what
     * opening it threw.
     */
    Optional<Connection> take() throws SQLException {
        CompletableFuture<Connection> next;
        synchronized (this) {
            next = ready.poll();
        }
        if (next == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(next.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            next.thenAccept(WorkerConnections::closeQuietly);
            throw new SQLException("interrupted while a worker connection was opened", e);
        } catch (ExecutionException e) {
            // what connect threw: an SQLException, a RuntimeException (the connector's own) or an Error
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw (Error) cause;
        }
    }

    /** Closes every connection no worker took, now or when it has opened. */
    void close() {
        List<CompletableFuture<Connection>> left;
        synchronized (this) {
            left = new ArrayList<>(ready);
            ready.clear();
        }
        left.forEach(f -> f.thenAccept(WorkerConnections::closeQuietly));
    }

    private static void closeQuietly(Connection conn) {
        try {
            conn.close();
        } catch (SQLException e) {
            // never used: closing only releases the client's side of a connection nobody needs
            return;
        }
    }

    /** One connection with {@code connector}, configured by {@code configure}; closed again when that fails. */
    static Connection connect(Connector connector, Configure configure) throws SQLException {
        Connection conn = connector.open();
        try {
            configure.apply(conn);
            return conn;
        } catch (SQLException | RuntimeException e) {
            Connections.closeAfter(conn, e);
            throw e;
        }
    }

    /** Session settings a worker's connection gets before it joins the snapshot. */
    interface Configure {
        void apply(Connection conn) throws SQLException;
    }
}
