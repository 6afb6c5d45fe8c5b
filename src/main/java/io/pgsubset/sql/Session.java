package io.pgsubset.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The session settings under which table data is written and read as CSV. The dump (COPY TO) and
 * verify (COPY TO of the restored table, to recompute the row digest) must produce byte-identical
 * text for equal rows, so both configure their sessions here; restore uses them for COPY FROM.
 */
public final class Session {
    /** SET statements, in order; also baked into restore.sh. */
    public static final List<String> SETTINGS = List.of(
            "SET client_encoding = 'UTF8'",
            "SET DateStyle = 'ISO, YMD'",
            "SET IntervalStyle = 'postgres'",
            "SET extra_float_digits = 3",
            "SET bytea_output = 'hex'",
            "SET TimeZone = 'UTC'");

    private Session() {
    }

    /**
     * Applies {@link #SETTINGS} to the connection, in one round trip (SET lasts for the session
     * unless the transaction it ran in rolls back).
     */
    public static void configure(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(String.join("; ", SETTINGS));
        }
    }
}
