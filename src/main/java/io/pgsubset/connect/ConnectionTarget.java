package io.pgsubset.connect;

import io.pgsubset.error.UsageException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One resolved database target. It is the single source for both the JDBC connection and the
 * environment handed to pg_dump and psql, so the two always reach the same server.
 * The password is never part of {@link #toString()}.
 */
public final class ConnectionTarget {
    /** Where libpq builds put the server's socket when no host is given: Debian and RHEL, then upstream. */
    static final List<Path> DEFAULT_SOCKET_DIRS = List.of(Path.of("/var/run/postgresql"), Path.of("/tmp"));
    private static final String FALLBACK_APPLICATION_NAME = "pgsubset";
    private static final int DEFAULT_PORT = 5432;

    /** The libpq keywords pgsubset understands, each with the environment variable that defaults it. */
    private static final Map<String, String> KEYWORD_ENV = keywordEnv();
    private static final Set<String> KEYWORDS = Set.copyOf(KEYWORD_ENV.keySet());
    /** Settings passed on unchanged, to pgjdbc and to pg_dump and psql alike. */
    private static final List<String> PASSED_ON = List.of("sslmode", "sslrootcert", "sslcert", "sslkey",
            "connect_timeout", "options");

    private final List<Endpoint> endpoints;
    private final String user;
    private final String dbname;
    private final Optional<String> password;
    private final Path passFile;
    private final SessionAttrs sessionAttrs;
    private final String applicationName;
    private final Map<String, String> parameters;

    private ConnectionTarget(List<Endpoint> endpoints, String user, String dbname, Optional<String> password,
                             Path passFile, SessionAttrs sessionAttrs, String applicationName,
                             Map<String, String> parameters) {
        this.endpoints = List.copyOf(endpoints);
        this.user = user;
        this.dbname = dbname;
        this.password = password;
        this.passFile = passFile;
        this.sessionAttrs = sessionAttrs;
        this.applicationName = applicationName;
        this.parameters = Map.copyOf(parameters);
    }

    private static Map<String, String> keywordEnv() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("host", "PGHOST");
        m.put("hostaddr", "PGHOSTADDR");
        m.put("port", "PGPORT");
        m.put("user", "PGUSER");
        m.put("password", "PGPASSWORD");
        m.put("passfile", "PGPASSFILE");
        m.put("dbname", "PGDATABASE");
        m.put("service", "PGSERVICE");
        m.put("sslmode", "PGSSLMODE");
        m.put("sslrootcert", "PGSSLROOTCERT");
        m.put("sslcert", "PGSSLCERT");
        m.put("sslkey", "PGSSLKEY");
        m.put("connect_timeout", "PGCONNECT_TIMEOUT");
        m.put("options", "PGOPTIONS");
        m.put("application_name", "PGAPPNAME");
        m.put("fallback_application_name", "");
        m.put("target_session_attrs", "PGTARGETSESSIONATTRS");
        return m;
    }

    /**
     * Resolves a target as libpq does: the flags, overridden by a connection string in -d (psql and
     * pg_dump pass -d after -h, -p and -U); then the service named there or in PGSERVICE fills what
     * is still unset; then the PG* variables; then the defaults.
     */
    public static ConnectionTarget resolve(ConnectionOptions options, Map<String, String> env) {
        Map<String, String> settings = explicit(options);
        Optional<String> service = opt(settings, "service").or(() -> opt(env, "PGSERVICE"));
        service.ifPresent(name -> ServiceFile.lookup(name, env, KEYWORDS).forEach((k, v) -> {
            if (!v.isEmpty()) {
                settings.putIfAbsent(k, v);
            }
        }));
        KEYWORD_ENV.forEach((keyword, variable) -> {
            if (!variable.isEmpty() && !settings.containsKey(keyword)) {
                opt(env, variable).ifPresent(v -> settings.put(keyword, v));
            }
        });
        return fromSettings(settings, env);
    }

    private static Map<String, String> explicit(ConnectionOptions options) {
        Map<String, String> m = new LinkedHashMap<>();
        options.host().ifPresent(h -> m.put("host", h));
        options.port().ifPresent(p -> m.put("port", Integer.toString(p)));
        options.user().ifPresent(u -> m.put("user", u));
        options.dbname().ifPresent(d -> {
            if (!ConnInfo.isConnectionString(d)) {
                m.put("dbname", d);
                return;
            }
            ConnInfo.parse(d).forEach((k, v) -> {
                if (!KEYWORDS.contains(k)) {
                    throw new UsageException("unsupported connection parameter \"" + k + "\" in -d");
                }
                if (!v.isEmpty()) {
                    m.put(k, v);
                }
            });
        });
        return m;
    }

    private static ConnectionTarget fromSettings(Map<String, String> s, Map<String, String> env) {
        List<Endpoint> endpoints = endpoints(opt(s, "hostaddr").or(() -> opt(s, "host")), opt(s, "port"));
        String user = opt(s, "user").orElse(System.getProperty("user.name", "postgres"));
        String dbname = opt(s, "dbname").orElse(user);
        Path passFile = opt(s, "passfile").map(Path::of).orElseGet(() ->
                Path.of(opt(env, "HOME").orElse(System.getProperty("user.home")), ".pgpass"));
        SessionAttrs attrs = SessionAttrs.parse(opt(s, "target_session_attrs").orElse("any"));
        String appName = opt(s, "application_name").or(() -> opt(s, "fallback_application_name"))
                .orElse(FALLBACK_APPLICATION_NAME);
        opt(s, "connect_timeout").ifPresent(ConnectionTarget::checkTimeout);
        Map<String, String> passedOn = new LinkedHashMap<>();
        PASSED_ON.forEach(k -> opt(s, k).ifPresent(v -> passedOn.put(k, v)));
        return new ConnectionTarget(endpoints, user, dbname, opt(s, "password"), passFile, attrs, appName,
                passedOn);
    }

    /**
     * libpq's host and port lists: one port for all hosts or one per host, an empty entry meaning
     * the default. No host at all means the first default socket directory where a server
     * listens, else localhost over TCP.
     */
    static List<Endpoint> endpoints(Optional<String> hosts, Optional<String> ports) {
        List<String> hostList = hosts.map(ConnectionTarget::split).orElse(List.of(""));
        List<String> portList = ports.map(ConnectionTarget::split).orElse(List.of(""));
        if (portList.size() != 1 && portList.size() != hostList.size()) {
            throw new UsageException("could not match " + portList.size() + " port numbers to "
                    + hostList.size() + " hosts");
        }
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < hostList.size(); i++) {
            String portText = portList.get(portList.size() == 1 ? 0 : i);
            int port = portText.isEmpty() ? DEFAULT_PORT : parsePort(portText);
            String host = hostList.get(i);
            out.add(new Endpoint(host.isEmpty() ? defaultHost(port) : host, port));
        }
        return out;
    }

    private static String defaultHost(int port) {
        return DEFAULT_SOCKET_DIRS.stream().filter(dir -> Files.exists(new Endpoint(dir.toString(), port).socketPath()))
                .findFirst().map(Path::toString).orElse("localhost");
    }

    private static List<String> split(String list) {
        return Arrays.stream(list.split(",", -1)).map(String::strip).toList();
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

    private static void checkTimeout(String text) {
        try {
            Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("invalid connect_timeout \"" + text + "\": expected a number of seconds");
        }
    }

    private static Optional<String> opt(Map<String, String> map, String key) {
        return Optional.ofNullable(map.get(key)).filter(v -> !v.isEmpty());
    }

    /** The servers to try, in order; one after {@link #pinnedTo}. */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** Whichever server answers runs on this machine (and so shares its cores with the client). */
    public boolean serverIsLocal() {
        return endpoints.stream().allMatch(Endpoint::isLocal);
    }

    public String user() {
        return user;
    }

    public String dbname() {
        return dbname;
    }

    public String applicationName() {
        return applicationName;
    }

    SessionAttrs sessionAttrs() {
        return sessionAttrs;
    }

    /** Whether a connection has only one server to reach: one host, no target_session_attrs to meet. */
    public boolean oneServer() {
        return endpoints.size() == 1 && sessionAttrs == SessionAttrs.ANY;
    }

    public boolean hasPassword() {
        return password.isPresent();
    }

    /** The password given, else the password file's entry for this server, as libpq looks it up per host. */
    Optional<String> passwordFor(Endpoint endpoint) {
        return password.or(() -> PgPass.lookup(passFile, endpoint, dbname, user));
    }

    Map<String, String> parameters() {
        return parameters;
    }

    /** The same server with another database name (for restore targets and maintenance). */
    public ConnectionTarget withDbname(String otherDb) {
        return new ConnectionTarget(endpoints, user, otherDb, password, passFile, sessionAttrs, applicationName,
                parameters);
    }

    public ConnectionTarget withPassword(String newPassword) {
        return new ConnectionTarget(endpoints, user, dbname, Optional.of(newPassword), passFile, sessionAttrs,
                applicationName, parameters);
    }

    /** Only {@code endpoint}, the server chosen from the host list; its attributes are settled. */
    ConnectionTarget pinnedTo(Endpoint endpoint) {
        return new ConnectionTarget(List.of(endpoint), user, dbname, password, passFile, SessionAttrs.ANY,
                applicationName, parameters);
    }

    /**
     * Environment for pg_dump, psql and friends: the target travels in PG* variables and the
     * password in PGPASSWORD, never on a command line that ps can show. Callers drop every other
     * PG* variable first, so no PGSERVICE or PGHOSTADDR of pgsubset's own environment can send a
     * child elsewhere.
     */
    public Map<String, String> childEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", endpoints.stream().map(Endpoint::host).collect(Collectors.joining(",")));
        env.put("PGPORT", endpoints.stream().map(e -> Integer.toString(e.port())).collect(Collectors.joining(",")));
        env.put("PGUSER", user);
        env.put("PGDATABASE", dbname);
        env.put("PGAPPNAME", applicationName);
        env.put("PGPASSFILE", passFile.toString());
        (endpoints.size() == 1 ? passwordFor(endpoints.get(0)) : password).ifPresent(p -> env.put("PGPASSWORD", p));
        parameters.forEach((k, v) -> env.put(KEYWORD_ENV.get(k), v));
        if (sessionAttrs != SessionAttrs.ANY) {
            env.put("PGTARGETSESSIONATTRS", sessionAttrs.keyword());
        }
        return env;
    }

    /** Database, server(s) and user, for messages; never the password. */
    @Override
    public String toString() {
        return "database \"" + dbname + "\" on "
                + endpoints.stream().map(Endpoint::toString).collect(Collectors.joining(", "))
                + " as \"" + user + "\"";
    }
}
