package io.pgsubset.dump;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.sql.Connections;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The first steps of a dump's or clone's source side, taken on a connection opened while the
 * command starts: the leader's session set up, its snapshot exported and the catalog read in it,
 * on a second core while the main thread builds the command and loads the plan. They are the
 * steps {@link SourceSnapshot#open} takes first, in the same order, with the same statement
 * timeout, so nothing is read outside the dump's snapshot. Whoever {@link #claim}s it first owns
 * the connection; an unclaimed one is {@link #discard}ed.
 */
public final class SnapshotAhead {
    private final SnapshotSession.Begun begun;
    private final Catalog catalog;
    private final long catalogNanos;
    private final AtomicBoolean claimed = new AtomicBoolean();

    private SnapshotAhead(SnapshotSession.Begun begun, Catalog catalog, long catalogNanos) {
        this.begun = begun;
        this.catalog = catalog;
        this.catalogNanos = catalogNanos;
    }

    /**
     * Begins the leader's transaction on {@code conn} and reads the catalog in it; on failure
     * {@code conn} is closed and the failure is thrown as {@link SourceSnapshot#open} would throw it.
     */
    public static SnapshotAhead begin(Connection conn, Optional<String> statementTimeout) {
        SnapshotSession.Begun begun;
        try {
            begun = SnapshotSession.begin(conn, statementTimeout);
        } catch (SQLException | RuntimeException e) {
            Connections.closeAfter(conn, e);
            throw SnapshotSession.startFailure(e);
        }
        try {
            long started = System.nanoTime();
            Catalog catalog = SourceSnapshot.readCatalog(conn);
            return new SnapshotAhead(begun, catalog, System.nanoTime() - started);
        } catch (RuntimeException e) {
            Connections.closeAfter(conn, e);
            throw e;
        }
    }

    /** True for the first caller only, who then owns the connection. */
    boolean claim() {
        return claimed.compareAndSet(false, true);
    }

    /** Closes the connection, unless it was claimed. */
    public void discard() {
        if (claim()) {
            try {
                begun.conn().close();
            } catch (SQLException ignored) {
                // an unused session: ending it is all that was asked
            }
        }
    }

    SnapshotSession.Begun begun() {
        return begun;
    }

    Catalog catalog() {
        return catalog;
    }

    long catalogNanos() {
        return catalogNanos;
    }
}
