package io.pgsubset.copy;

import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What one piece of copy work runs on: the connections of one job (a source session, a target
 * session, or both). The {@link Scheduler} gives each lane one piece at a time.
 */
public interface Lane {
    /** Cancels whatever the lane's connections are running; called from another thread, never throws. */
    void cancel();

    /**
     * After a piece failed on this lane because a connection was lost: opens a new one for what
     * the lane reads, so that the piece can run again from its start; false when the lane cannot
     * (the lost connection held what a new one would not have: the snapshot's leader, a target
     * transaction with earlier pieces). Throws when opening fails.
     */
    default boolean reconnect() {
        return false;
    }

    /** After every piece succeeded: ends the lane's work (e.g. commits); a failure fails the run. */
    default void finish() {
    }

    /** Releases the lane's connections (after {@link #finish}, or after a failure). */
    void close();

    /** Cancels what {@code conn} is running, from another thread; never throws. */
    static void cancelQuietly(Connection conn) {
        try {
            conn.unwrap(PGConnection.class).cancelQuery();
        } catch (SQLException | RuntimeException e) {
            // the connection is gone already, or cannot be reached: its query ends with it
            return;
        }
    }
}
