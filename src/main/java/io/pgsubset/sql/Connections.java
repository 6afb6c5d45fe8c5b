package io.pgsubset.sql;

import java.sql.Connection;
import java.sql.SQLException;

/** What every place that opens a connection does when preparing it failed. */
public final class Connections {
    private Connections() {
    }

    /**
     * Closes {@code conn} after {@code failure} while preparing it; a failure to close is kept on
     * {@code failure} (suppressed), which stays the one reported.
     */
    public static void closeAfter(Connection conn, Exception failure) {
        try {
            conn.close();
        } catch (SQLException closing) {
            failure.addSuppressed(closing);
        }
    }
}
