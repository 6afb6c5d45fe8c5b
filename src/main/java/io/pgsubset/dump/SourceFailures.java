package io.pgsubset.dump;

import io.pgsubset.error.PgsubsetException;

import java.sql.SQLException;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the source did to a dump or clone, said so the user knows which setting to change: a hot
 * standby cancelling a query that conflicts with replay, and the dump's own statement timeout.
 * The original failure stays the cause.
 */
public final class SourceFailures {
    private static final String RECOVERY_CONFLICT = "conflict with recovery";
    private static final String QUERY_CANCELED = "57014";

    private SourceFailures() {
    }

    /** What each standby setting that keeps a long query alive costs the primary or the standby. */
    private static final String SETTINGS = "set hot_standby_feedback = on on the standby (the primary then keeps "
            + "the row versions the dump's snapshot can still see: its VACUUM cannot remove them while the dump runs, "
            + "so tables and indexes bloat for that long), or raise max_standby_streaming_delay and "
            + "max_standby_archive_delay, e.g. to -1 (replay then waits for the dump's queries: the standby falls "
            + "behind the primary for up to the dump's duration and keeps the WAL it has not replayed); or dump "
            + "from the primary";

    /** The warning before a dump from a standby that may cancel its queries. */
    static String standbyRisk(SnapshotSession.Standby standby) {
        return "the source is a hot standby with hot_standby_feedback = off: a query of the dump that runs "
                + "longer than max_standby_streaming_delay (" + standby.maxStreamingDelay() + ") while the "
                + "primary vacuums rows it can still see is cancelled; to avoid that, " + SETTINGS;
    }

    /**
     * {@code failure} rephrased when the source caused it (see the class comment); else itself.
     *
     * @param statementTimeout the --statement-timeout in force, if any
     */
    public static RuntimeException explain(RuntimeException failure, Optional<String> statementTimeout) {
        // pg_dump's failure carries the server's message in its own text, not as an SQLException
        if (chain(failure).anyMatch(t -> String.valueOf(t.getMessage()).contains(RECOVERY_CONFLICT))) {
            return new PgsubsetException("the standby cancelled a query of the dump (" + RECOVERY_CONFLICT
                    + ": replaying the primary's changes removed rows or took locks the dump's snapshot still "
                    + "needed); " + SETTINGS, failure);
        }
        Optional<SQLException> server = chain(failure).filter(t -> t instanceof SQLException)
                .map(t -> (SQLException) t).findFirst();
        if (server.isPresent() && QUERY_CANCELED.equals(server.get().getSQLState())
                && String.valueOf(server.get().getMessage()).contains("statement timeout")
                && statementTimeout.isPresent()) {
            return new PgsubsetException("a catalog or closure query ran longer than --statement-timeout "
                    + statementTimeout.get() + " and was cancelled: " + firstLine(failure)
                    + "; raise --statement-timeout, or leave it out", failure);
        }
        return failure;
    }

    /** The failure and its causes, suppressed failures left aside (they are consequences of the first). */
    private static Stream<Throwable> chain(Throwable failure) {
        return Stream.iterate(failure, t -> t != null, t -> t.getCause() == t ? null : t.getCause());
    }

    private static String firstLine(Throwable e) {
        return io.pgsubset.error.Messages.firstLine(e);
    }
}
