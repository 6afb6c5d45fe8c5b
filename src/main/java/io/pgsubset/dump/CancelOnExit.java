package io.pgsubset.dump;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Ctrl-C or SIGTERM while a snapshot is open: a shutdown hook cancels every running statement of
 * the snapshot's sessions on the server (the protocol's cancel request, as psql sends it) and stops
 * pg_dump. Without it the client ends but a closure query that returns its rows only at the end
 * runs on until it does. A statement the caller's thread starts right after a cancel (the next
 * closure step) is caught by the next round; the JVM halts when the hooks end. From PostgreSQL 14
 * the sessions' {@code client_connection_check_interval} ends whatever is left within a second.
 */
final class CancelOnExit implements AutoCloseable {
    private static final int ROUNDS = 3;
    private static final long PAUSE_MILLIS = 100;

    private final SnapshotSession leader;
    private final List<Runnable> children = new CopyOnWriteArrayList<>();
    private final Thread hook;

    private CancelOnExit(SnapshotSession leader) {
        this.leader = leader;
        this.hook = new Thread(this::run, "pgsubset-cancel-queries");
    }

    /** Watches {@code leader} and every worker that joins it until {@link #close}. */
    static CancelOnExit watch(SnapshotSession leader) {
        CancelOnExit c = new CancelOnExit(leader);
        Runtime.getRuntime().addShutdownHook(c.hook);
        return c;
    }

    /** Also stops {@code stop} (a child process's run) on a signal. */
    void alsoStop(Runnable stop) {
        children.add(stop);
    }

    private void run() {
        children.forEach(Runnable::run);
        for (int i = 0; i < ROUNDS; i++) {
            leader.cancelAll();
            if (i + 1 < ROUNDS) {
                try {
                    Thread.sleep(PAUSE_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The snapshot ended: nothing left to cancel. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) and cancels what still runs
            return;
        }
    }
}
