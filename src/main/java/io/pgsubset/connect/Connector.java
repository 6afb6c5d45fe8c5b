package io.pgsubset.connect;

import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;
import org.postgresql.Driver;

import java.io.Console;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Opens JDBC connections to a {@link ConnectionTarget} and turns failures into one clear line.
 * Several hosts are tried in order, as libpq does, until one accepts the connection and meets
 * {@code target_session_attrs}; a socket directory is reached through {@link UnixSocketFactory}.
 */
public final class Connector {
    /** libpq waits for ever by default; a dump tool that hangs on a dead address helps nobody. */
    private static final String DEFAULT_CONNECT_TIMEOUT = "10";
    private static final Driver DRIVER = new Driver();

    private final ConnectionTarget target;
    /** Who the server is, for the failures: "" for the source (or the only server of a command). */
    private final String role;

    public Connector(ConnectionTarget target) {
        this(target, "");
    }

    private Connector(ConnectionTarget target, String role) {
        this.target = target;
        this.role = role;
    }

    /**
     * A connector to the database a restore or clone writes: its failures begin with "the target:",
     * so that a clone's say which of its two servers refused.
     */
    public static Connector toTarget(ConnectionTarget target) {
        return new Connector(target, "the target");
    }

    public ConnectionTarget target() {
        return target;
    }

    public Connection open() {
        try {
            List<Endpoint> servers = target.endpoints();
            if (target.oneServer()) {
                try {
                    return connect(servers.get(0));
                } catch (SQLException e) {
                    throw describe(servers.get(0), e);
                }
            }
            return openFirstAcceptable().connection();
        } catch (PgsubsetException e) {
            throw labelled(e);
        }
    }

    /** {@code e} with the server's role in front of its message, of the same kind (a usage error stays one). */
    private PgsubsetException labelled(PgsubsetException e) {
        if (role.isEmpty()) {
            return e;
        }
        String message = role + ": " + e.getMessage();
        if (e instanceof UsageException) {
            return new UsageException(message, e.getCause());
        }
        return e.exitCode() == PgsubsetException.RUNTIME ? new PgsubsetException(message, e.getCause()) : e;
    }

    /**
     * A connector bound to the one server {@link #open()} picks from a host list, so that every
     * later session (workers, pg_dump with the exported snapshot, psql) reaches that same server.
     */
    public Connector pinned() {
        if (target.oneServer()) {
            return this;
        }
        Opened probe = openFirstAcceptable();
        try (Connection ignored = probe.connection()) {
            return new Connector(target.pinnedTo(probe.server()), role);
        } catch (SQLException e) {
            throw new PgsubsetException("could not close the probe connection to " + probe.server() + ": "
                    + Messages.firstLine(e), e);
        }
    }

    private record Opened(Endpoint server, Connection connection) {
    }

    private Opened openFirstAcceptable() {
        SessionAttrs attrs = target.sessionAttrs();
        List<String> failures = new ArrayList<>();
        for (int pass = 1; pass <= attrs.passes(); pass++) {
            boolean lastResort = pass > 1;
            for (Endpoint server : target.endpoints()) {
                try {
                    Connection c = connect(server);
                    if (attrs.accepts(c, lastResort)) {
                        return new Opened(server, c);
                    }
                    c.close();
                    failures.add(server + ": server is " + attrs.unmet());
                } catch (SQLException e) {
                    failures.add(describe(server, e).getMessage());
                }
            }
        }
        throw new PgsubsetException("no server of " + target + " accepted the connection"
                + (attrs == SessionAttrs.ANY ? "" : " with target_session_attrs=" + attrs.keyword()) + ": "
                + String.join("; ", failures));
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
        try (Connection ignored = connect(target.endpoints().get(0))) {
            return this;
        } catch (SQLException e) {
            if (!needsPassword(e)) {
                return this;
            }
        }
        char[] typed = console.readPassword("Password for user %s: ", target.user());
        return typed == null ? this : new Connector(target.withPassword(new String(typed)), role);
    }

    /** Whether opening a connection failed only for want of a password (then a prompt may help). */
    public static boolean wantsPassword(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException e && needsPassword(e)) {
                return true;
            }
        }
        return false;
    }

    private static boolean needsPassword(SQLException e) {
        String msg = String.valueOf(e.getMessage());
        return msg.contains("no password was provided") || "28P01".equals(e.getSQLState());
    }

    /**
     * pgjdbc's driver directly: DriverManager would first load every JDBC driver on the class path
     * (a service lookup) at the start of each process, and pgsubset speaks to PostgreSQL only.
     */
    private Connection connect(Endpoint server) throws SQLException {
        return DRIVER.connect(url(server), properties(server));
    }

    /** For a socket the URL's host only satisfies pgjdbc: the socket factory ignores it. */
    private String url(Endpoint server) {
        String host = server.isSocket() ? "localhost" : server.host().contains(":") ? "[" + server.host() + "]"
                : server.host();
        return "jdbc:postgresql://" + host + ":" + server.port() + "/"
                + URLEncoder.encode(target.dbname(), StandardCharsets.UTF_8);
    }

    private Properties properties(Endpoint server) {
        Properties p = new Properties();
        p.setProperty("user", target.user());
        target.passwordFor(server).ifPresent(pw -> p.setProperty("password", pw));
        p.setProperty("ApplicationName", target.applicationName());
        if (server.isSocket()) {
            p.setProperty("socketFactory", UnixSocketFactory.class.getName());
            p.setProperty("socketFactoryArg", server.socketPath().toString());
            // libpq ignores sslmode on a Unix-domain socket; the server offers neither SSL nor GSS there
            p.setProperty("sslmode", "disable");
            p.setProperty("gssEncMode", "disable");
        } else {
            p.setProperty("sslmode", target.parameters().getOrDefault("sslmode", "prefer"));
            copy(p, "sslrootcert", "sslrootcert");
            copy(p, "sslcert", "sslcert");
            copy(p, "sslkey", "sslkey");
        }
        p.setProperty("connectTimeout", target.parameters().getOrDefault("connect_timeout", DEFAULT_CONNECT_TIMEOUT));
        copy(p, "options", "options");
        // application_name and extra_float_digits go in the start-up packet instead of a SET round trip
        // after it; pg_dump, which every dump runs, reads no server older than 9.2 either
        p.setProperty("assumeMinServerVersion", "9.2");
        // pg_dump-like sessions: no prepared-statement surprises across pooled servers.
        p.setProperty("prepareThreshold", "0");
        // A copy can run for an hour: keep-alives let the kernel notice a half-open connection.
        p.setProperty("tcpKeepAlive", "true");
        return p;
    }

    private void copy(Properties p, String from, String to) {
        String v = target.parameters().get(from);
        if (v != null) {
            p.setProperty(to, v);
        }
    }

    private PgsubsetException describe(Endpoint server, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String detail = Messages.firstLine(e);
        if (state.startsWith("08") && server.isSocket()) {
            return new PgsubsetException("could not connect to server on " + server + ": " + rootCause(e)
                    + " (is the server running locally and accepting connections on that socket?)", e);
        }
        if (state.startsWith("08")) {
            return new PgsubsetException("could not connect to server at " + server + ": " + detail, e);
        }
        if (state.equals("28P01") || state.equals("28000")) {
            return new PgsubsetException("connection to " + server + " refused for user \"" + target.user() + "\": "
                    + detail, e);
        }
        if (state.equals("3D000")) {
            return new UsageException("database \"" + target.dbname() + "\" does not exist on " + server, e);
        }
        if (detail.contains("no password was provided")) {
            return new PgsubsetException("the server at " + server + " asks for a password for user \""
                    + target.user() + "\" and none was given: set PGPASSWORD or add it to ~/.pgpass", e);
        }
        return new PgsubsetException("could not connect to " + server + ": " + detail, e);
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return Messages.firstLine(t);
    }
}
