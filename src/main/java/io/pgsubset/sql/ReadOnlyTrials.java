package io.pgsubset.sql;

import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Optional;

/**
 * Tries statements written by the user (a plan's where: filters, SQL transforms) on the server
 * inside a read-only scope that is always rolled back, each under its own savepoint so one
 * failure does not hide the next. Works in autocommit mode (it opens and rolls back its own
 * transaction) and inside a caller's snapshot transaction (it leaves it as it found it).
 */
public final class ReadOnlyTrials {
    /** What runs inside the scope. */
    @FunctionalInterface
    public interface Body {
        void run(ReadOnlyTrials trials) throws SQLException;
    }

    private final Connection conn;
    private final Statement st;

    private ReadOnlyTrials(Connection conn, Statement st) {
        this.conn = conn;
        this.st = st;
    }

    /** Runs {@code body} in the scope; a failure of the scope itself names {@code what} was being done. */
    public static void run(Connection conn, String what, Body body) {
        try {
            boolean autoCommit = conn.getAutoCommit();
            if (autoCommit) {
                conn.setAutoCommit(false);
            }
            try (Statement st = conn.createStatement()) {
                Savepoint outer = conn.setSavepoint();
                st.execute("SET LOCAL transaction_read_only = on");
                st.execute("SET LOCAL statement_timeout = '60s'");
                body.run(new ReadOnlyTrials(conn, st));
                conn.rollback(outer);
            } finally {
                if (autoCommit) {
                    conn.rollback();
                    conn.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw new PgsubsetException("could not " + what + " on the server: " + Messages.firstLine(e), e);
        }
    }

    /** Runs one statement under its own savepoint; returns its error (rolled back), if any. */
    public Optional<SQLException> attempt(String sql) throws SQLException {
        Savepoint sp = conn.setSavepoint();
        try {
            st.execute(sql);
            conn.releaseSavepoint(sp);
            return Optional.empty();
        } catch (SQLException e) {
            conn.rollback(sp);
            return Optional.of(e);
        }
    }
}
