package io.pgsubset.dump;

import io.pgsubset.catalog.Table;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * ACCESS SHARE locks on many tables in one statement, under a savepoint, so that a refusal (a lock
 * timeout, NOWAIT, a table dropped) leaves the snapshot's transaction usable: the leader's locks
 * ({@link SourceSnapshot}) and a worker's ({@link SnapshotSession#lockBeforeCopy}).
 */
final class TableLocks {
    private TableLocks() {
    }

    /** {@code LOCK TABLE a, b IN ACCESS SHARE MODE [NOWAIT]}, every name quoted. */
    static String sql(List<Table> tables, boolean nowait) {
        return "LOCK TABLE " + tables.stream().map(t -> t.name().sql()).collect(Collectors.joining(", "))
                + " IN ACCESS SHARE MODE" + (nowait ? " NOWAIT" : "");
    }

    /** Locks {@code tables} in one round trip; the failure, already rolled back to the savepoint, or empty. */
    static Optional<SQLException> tryLock(Statement st, List<Table> tables, boolean nowait) throws SQLException {
        try {
            st.execute("SAVEPOINT pgsubset_lock; " + sql(tables, nowait) + "; RELEASE SAVEPOINT pgsubset_lock");
            return Optional.empty();
        } catch (SQLException e) {
            st.execute("ROLLBACK TO SAVEPOINT pgsubset_lock");
            return Optional.of(e);
        }
    }
}
