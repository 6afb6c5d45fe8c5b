package io.pgsubset.connect;

import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;

import java.io.Console;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens JDBC connections to a {@link ConnectionTarget} and turns failures into one clear line. */
public final class Connector {
    private static final String APPLICATION_NAME = "pgsubset";

    private final ConnectionTarget target;

    public Connector(ConnectionTarget target) {
        this.target = target;
    }

    public ConnectionTarget target() {
        return target;
    }

    public Connection open() {
        try {
            return DriverManager.getConnection(url(), properties());
        } catch (SQLException e) {
            throw describe(e);
        }
    }

    /**
     * Asks for a password on the terminal when the server wants one and none was given, as psql
     * does; returns a connector that carries it, or this one when no prompt is possible or needed.
     */
    public Connector withPromptedPasswordIfNeeded(boolean neverPrompt) {
        if (target.hasPassword() || neverPrompt) {
            return this;
        }
        Console console = System.console();
        if (console == null) {
            return this;
        }
        try (Connection ignored = DriverManager.getConnection(url(), properties())) {
            return this;
        } catch (SQLException e) {
            if (!needsPassword(e)) {
                return this;
            }
        }
        char[] typed = console.readPassword("Password for user %s: ", target.user());
        return typed == null ? this : new Connector(target.withPassword(new String(typed)));
    }

    private static boolean needsPassword(SQLException e) {
        String msg = String.valueOf(e.getMessage());
        return msg.contains("no password was provided") || "28P01".equals(e.getSQLState());
    }

    private String url() {
        String host = target.host().contains(":") ? "[" + target.host() + "]" : target.host();
        return "jdbc:postgresql://" + host + ":" + target.port() + "/"
                + java.net.URLEncoder.encode(target.dbname(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private Properties properties() {
        Properties p = new Properties();
        p.setProperty("user", target.user());
        target.password().ifPresent(pw -> p.setProperty("password", pw));
        p.setProperty("ApplicationName", APPLICATION_NAME);
        p.setProperty("sslmode", target.parameters().getOrDefault("sslmode", "prefer"));
        copy(p, "sslrootcert", "sslrootcert");
        copy(p, "sslcert", "sslcert");
        copy(p, "sslkey", "sslkey");
        p.setProperty("connectTimeout", target.parameters().getOrDefault("connect_timeout", "10"));
        // pg_dump-like sessions: no prepared-statement surprises across pooled servers.
        p.setProperty("prepareThreshold", "0");
        return p;
    }

    private void copy(Properties p, String from, String to) {
        String v = target.parameters().get(from);
        if (v != null) {
            p.setProperty(to, v);
        }
    }

    private PgsubsetException describe(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = target.host() + ":" + target.port();
        String detail = firstLine(e.getMessage());
        if (state.equals("08001") || state.startsWith("08")) {
            return new PgsubsetException("could not connect to server at " + where + ": " + detail, e);
        }
        if (state.equals("28P01") || state.equals("28000")) {
            return new PgsubsetException("connection to " + where + " refused for user \"" + target.user() + "\": "
                    + detail, e);
        }
        if (state.equals("3D000")) {
            return new UsageException("database \"" + target.dbname() + "\" does not exist on " + where, e);
        }
        if (detail.contains("no password was provided")) {
            return new PgsubsetException("the server at " + where + " asks for a password for user \""
                    + target.user() + "\" and none was given: set PGPASSWORD or add it to ~/.pgpass", e);
        }
        return new PgsubsetException("could not connect to " + target + ": " + detail, e);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
