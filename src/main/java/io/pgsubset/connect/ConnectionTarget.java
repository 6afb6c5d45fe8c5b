package io.pgsubset.connect;

import io.pgsubset.error.UsageException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One resolved database target. It is the single source for both the JDBC connection and the
 * environment handed to pg_dump and psql, so the two always reach the same server.
 * The password is never part of {@link #toString()}.
 */
public final class ConnectionTarget {
    private final String host;
    private final int port;
    private final String user;
    private final String dbname;
    private final Optional<String> password;
    private final Map<String, String> parameters;

    private ConnectionTarget(String host, int port, String user, String dbname, Optional<String> password,
                             Map<String, String> parameters) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.dbname = dbname;
        this.password = password;
        this.parameters = Map.copyOf(parameters);
    }

    /**
     * Resolves flags, the -d connection string, PG* variables, the password file and libpq's
     * defaults, in that order of precedence.
     */
    public static ConnectionTarget resolve(ConnectionOptions options, Map<String, String> env) {
        Map<String, String> conninfo = options.dbname().filter(ConnInfo::isConnectionString)
                .map(ConnInfo::parse).orElse(Map.of());
        for (String key : conninfo.keySet()) {
            if (!KNOWN_KEYS.contains(key)) {
                throw new UsageException("unsupported connection parameter \"" + key + "\" in -d");
            }
        }
        String osUser = System.getProperty("user.name", "postgres");
        String host = options.host().or(() -> opt(conninfo, "host")).or(() -> opt(env, "PGHOST")).orElse("localhost");
        String portText = options.port().map(String::valueOf).or(() -> opt(conninfo, "port"))
                .or(() -> opt(env, "PGPORT")).orElse("5432");
        String user = options.user().or(() -> opt(conninfo, "user")).or(() -> opt(env, "PGUSER")).orElse(osUser);
        String dbname = options.dbname().filter(d -> !ConnInfo.isConnectionString(d))
                .or(() -> opt(conninfo, "dbname")).or(() -> opt(env, "PGDATABASE")).orElse(user);
        if (host.startsWith("/")) {
            throw new UsageException("host \"" + host + "\" is a Unix-domain socket directory, which the JDBC driver "
                    + "cannot use; connect over TCP instead, e.g. -h localhost");
        }
        int port = parsePort(portText);
        Map<String, String> parameters = new LinkedHashMap<>();
        opt(conninfo, "sslmode").or(() -> opt(env, "PGSSLMODE")).ifPresent(v -> parameters.put("sslmode", v));
        opt(conninfo, "sslrootcert").or(() -> opt(env, "PGSSLROOTCERT")).ifPresent(v -> parameters.put("sslrootcert", v));
        opt(conninfo, "sslcert").or(() -> opt(env, "PGSSLCERT")).ifPresent(v -> parameters.put("sslcert", v));
        opt(conninfo, "sslkey").or(() -> opt(env, "PGSSLKEY")).ifPresent(v -> parameters.put("sslkey", v));
        opt(conninfo, "connect_timeout").or(() -> opt(env, "PGCONNECT_TIMEOUT"))
                .ifPresent(v -> parameters.put("connect_timeout", v));
        Optional<String> password = opt(conninfo, "password").or(() -> opt(env, "PGPASSWORD"))
                .or(() -> PgPass.lookup(passFile(env), host, port, dbname, user));
        return new ConnectionTarget(host, port, user, dbname, password, parameters);
    }

    private static final java.util.Set<String> KNOWN_KEYS = java.util.Set.of("host", "hostaddr", "port", "user",
            "password", "dbname", "sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout",
            "application_name");

    private static Path passFile(Map<String, String> env) {
        return opt(env, "PGPASSFILE").map(Path::of)
                .orElseGet(() -> Path.of(opt(env, "HOME").orElse(System.getProperty("user.home")), ".pgpass"));
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new UsageException("invalid port \"" + text + "\": expected a number from 1 to 65535");
        }
    }

    private static Optional<String> opt(Map<String, String> map, String key) {
        return Optional.ofNullable(map.get(key)).filter(v -> !v.isEmpty());
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String dbname() {
        return dbname;
    }

    public boolean hasPassword() {
        return password.isPresent();
    }

    Optional<String> password() {
        return password;
    }

    Map<String, String> parameters() {
        return parameters;
    }

    /** The same server with another database name (for restore targets and maintenance). */
    public ConnectionTarget withDbname(String otherDb) {
        return new ConnectionTarget(host, port, user, otherDb, password, parameters);
    }

    public ConnectionTarget withPassword(String newPassword) {
        return new ConnectionTarget(host, port, user, dbname, Optional.of(newPassword), parameters);
    }

    /**
     * Environment for pg_dump, psql and friends: the target travels in PG* variables and the
     * password in PGPASSWORD, never on a command line that ps can show.
     */
    public Map<String, String> childEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", host);
        env.put("PGPORT", Integer.toString(port));
        env.put("PGUSER", user);
        env.put("PGDATABASE", dbname);
        env.put("PGAPPNAME", "pgsubset");
        password.ifPresent(p -> env.put("PGPASSWORD", p));
        put(env, "PGSSLMODE", parameters.get("sslmode"));
        put(env, "PGSSLROOTCERT", parameters.get("sslrootcert"));
        put(env, "PGSSLCERT", parameters.get("sslcert"));
        put(env, "PGSSLKEY", parameters.get("sslkey"));
        put(env, "PGCONNECT_TIMEOUT", parameters.get("connect_timeout"));
        return env;
    }

    private static void put(Map<String, String> env, String key, String value) {
        if (value != null) {
            env.put(key, value);
        }
    }

    /** host:port/dbname as user, for messages; never the password. */
    @Override
    public String toString() {
        return "database \"" + dbname + "\" on " + host + ":" + port + " as \"" + user + "\"";
    }
}
