package io.pgsubset.restore;

import io.pgsubset.error.Messages;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;
import io.pgsubset.database.TargetDatabase;
import io.pgsubset.error.UsageException;
import io.pgsubset.sql.Ident;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/** CREATE/DROP DATABASE and roles, run on a maintenance connection. */
final class Databases {
    static final int MAX_NAME_BYTES = 63;

    private Databases() {
    }

    static boolean exists(Connection admin, String db) throws SQLException {
        return TargetDatabase.exists(admin, db);
    }

    static Optional<String> owner(Connection admin, String db) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement(
                "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database WHERE datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    static void checkName(String db) {
        if (db.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new UsageException("database name \"" + db + "\" is longer than PostgreSQL's " + MAX_NAME_BYTES
                    + " bytes");
        }
    }

    /** Ends every session of {@code db} and drops it. */
    static void drop(Connection admin, String db) throws SQLException {
        terminate(admin, db);
        try (Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + Ident.quote(db));
        }
    }

    static int terminate(Connection admin, String db) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("""
                SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity
                 WHERE datname = ? AND pid <> pg_catalog.pg_backend_pid()""")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static int sessions(Connection admin, String db) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("""
                SELECT count(*) FROM pg_catalog.pg_stat_activity
                 WHERE datname = ? AND pid <> pg_catalog.pg_backend_pid()""")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Drops {@code db} on a fresh connection, for cleanup after a failure; reports, never throws. */
    static void dropQuietly(ConnectionTarget maintenance, String db, RestoreListener listener) {
        try (Connection admin = Connector.toTarget(maintenance).open()) {
            drop(admin, db);
            listener.step("dropped database " + db);
        } catch (SQLException | RuntimeException e) {
            listener.step("warning: could not drop database \"" + db + "\": " + Messages.firstLine(e)
                    + "; drop it by hand (DROP DATABASE " + Ident.quote(db) + ")");
        }
    }
}
