package io.pgsubset.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL cluster started from the installed binaries (initdb + pg_ctl) in a temporary
 * directory on a free port, with fsync off. As root, the server runs as the {@code postgres} OS
 * user, since initdb and postgres refuse to run as root. Autovacuum is off. A JVM shutdown hook stops it whatever
 * happens to the tests; clusters left by a killed JVM are stopped by the next run.
 */
public final class PgCluster implements AutoCloseable {
    public static final String SUPERUSER = "postgres";
    /** Members of this role must authenticate with a scram password over TCP (see pg_hba.conf). */
    public static final String PASSWORD_GROUP = "pgsubset_password_required";
    private static final String OWNER_FILE = "owner.pid";

    private final Path binDir;
    private final Path root;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;
    private final List<String> initdbOptions;
    private volatile boolean running;

    private PgCluster(Path binDir, Path root, int port, boolean asPostgresUser, List<String> initdbOptions) {
        this.initdbOptions = List.copyOf(initdbOptions);
        this.binDir = binDir;
        this.root = root;
        this.dataDir = root.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    public static PgCluster start() {
        return start(PgBinaries.find(), List.of());
    }

    /** Starts a cluster from {@code binDir} with extra postgresql.conf lines. */
    public static PgCluster start(Path binDir, List<String> extraConf) {
        return start(binDir, extraConf, "C.UTF-8");
    }

    /**
     * Starts a cluster from {@code binDir} whose initdb uses {@code locale} (with UTF8 encoding):
     * older or foreign server builds may not know the OS's C.UTF-8, while plain "C" always works.
     */
    public static PgCluster start(Path binDir, List<String> extraConf, String locale) {
        return start(binDir, extraConf, List.of("-E", "UTF8", "--locale=" + locale));
    }

    /**
     * Starts a cluster whose initdb gets {@code initdbOptions} for its encoding and locale, e.g.
     * {@code -E LATIN1 --locale=C} for a target whose defaults are not the source's.
     */
    public static PgCluster start(Path binDir, List<String> extraConf, List<String> initdbOptions) {
        stopStaleClusters();
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            PgCluster cluster = new PgCluster(binDir, newRoot(), freePort(), root, initdbOptions);
            cluster.init(extraConf);
            cluster.startServer();
            cluster.createPasswordGroup();
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "pg-cluster-stop"));
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a streaming hot standby of this cluster on another free port: pg_basebackup -R (so
     * the copy follows this primary), then pg_ctl start. Its sessions are read only
     * (default_transaction_read_only behaves as on; any write fails), as on a production replica.
     * Stopped with the run, like the primary.
     */
    public PgCluster startStandby() {
        try {
            PgCluster standby = new PgCluster(binDir, newRoot(), freePort(), asPostgresUser, initdbOptions);
            if (asPostgresUser) {
                chownToPostgres(standby.root);
            }
            run(List.of(binDir.resolve("pg_basebackup").toString(), "-h", host(), "-p", Integer.toString(port),
                    "-U", SUPERUSER, "-D", standby.dataDir.toString(), "-R", "-X", "stream", "-c", "fast",
                    "--no-sync"));
            standby.appendAsOwner(standby.dataDir.resolve("postgresql.conf"), String.join("\n",
                    "port = " + standby.port,
                    "unix_socket_directories = '" + standby.root + "'",
                    "hot_standby = on",
                    "hot_standby_feedback = on",
                    "") + "\n");
            standby.startServer();
            Runtime.getRuntime().addShutdownHook(new Thread(standby::close, "pg-standby-stop"));
            return standby;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This primary's current WAL insert position (commits not yet flushed included: synchronous_commit is off). */
    public String currentLsn() {
        try (Connection c = connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the WAL position: " + e.getMessage(), e);
        }
    }

    /** Waits until this standby has replayed {@code lsn} of its primary; fails after {@code timeout}. */
    public void awaitReplay(String lsn, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = connect("postgres");
             PreparedStatement ps = c.prepareStatement(
                     "SELECT pg_catalog.pg_last_wal_replay_lsn() >= ?::pg_lsn, pg_catalog.pg_last_wal_replay_lsn()")) {
            ps.setString(1, lsn);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("standby on port " + port + " replayed only up to "
                                + rs.getString(2) + ", not " + lsn + ", within " + timeout);
                    }
                }
                Thread.sleep(20);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the standby's replay position: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code standby} has replayed everything this primary has written so far. */
    public void awaitCaughtUp(PgCluster standby) {
        standby.awaitReplay(currentLsn(), Duration.ofSeconds(60));
    }

    private static Path newRoot() throws IOException {
        Path dir = Files.createTempDirectory("pgsubset-test-");
        Files.writeString(dir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
        return dir;
    }

    private void init(List<String> extraConf) throws IOException {
        if (asPostgresUser) {
            chownToPostgres(root);
        }
        List<String> initdb = new ArrayList<>(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(),
                "-U", SUPERUSER, "-A", "trust", "--no-sync"));
        initdb.addAll(initdbOptions);
        run(initdb);
        List<String> conf = new ArrayList<>(List.of(
                "port = " + port,
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = '" + root + "'",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "max_connections = 200",
                "wal_level = replica",
                "max_wal_senders = 10",
                "hot_standby = on",
                "log_min_messages = warning",
                // no background VACUUM or ANALYZE: checks of visibility (COPY FREEZE), statistics
                // and transaction ids must see only what the code under test did
                "autovacuum = off",
                "logging_collector = off"));
        conf.addAll(extraConf);
        appendAsOwner(dataDir.resolve("postgresql.conf"), String.join("\n", conf) + "\n");
        writeAsOwner(dataDir.resolve("pg_hba.conf"), String.join("\n",
                "local all all trust",
                "host all +" + PASSWORD_GROUP + " 127.0.0.1/32 scram-sha-256",
                "host all all 127.0.0.1/32 trust",
                "host replication all 127.0.0.1/32 trust",
                ""));
    }

    private void startServer() {
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l",
                root.resolve("server.log").toString(), "-w", "-t", "60", "start"));
        running = true;
    }

    private void createPasswordGroup() {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + PASSWORD_GROUP + " NOLOGIN");
        } catch (SQLException e) {
            throw new IllegalStateException("cluster started but is not usable: " + e.getMessage(), e);
        }
    }

    /**
     * Replaces pg_hba.conf, appends {@code conf} to postgresql.conf and restarts the server so both
     * apply (a new socket directory needs the restart). The harness's own {@link #connect} trusts
     * TCP: after rules without that, connect as the rules allow.
     */
    public void reconfigure(List<String> hba, List<String> conf) {
        try {
            writeAsOwner(dataDir.resolve("pg_hba.conf"), String.join("\n", hba) + "\n");
            appendAsOwner(dataDir.resolve("postgresql.conf"), String.join("\n", conf) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l",
                root.resolve("server.log").toString(), "-m", "fast", "-w", "-t", "60", "restart"));
    }

    /** The OS user the server runs as: the one peer authentication lets in under its own name. */
    public String osUser() {
        return asPostgresUser ? "postgres" : System.getProperty("user.name");
    }

    /** {@code command} run as the server's OS user: through runuser when the tests run as root. */
    public List<String> asServerUser(List<String> command) {
        List<String> argv = new ArrayList<>();
        if (asPostgresUser) {
            argv.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        argv.addAll(command);
        return argv;
    }

    /** Gives {@code path} (a file or a directory tree) to the server's OS user, when that is another user. */
    public void giveToServerUser(Path path) {
        if (!asPostgresUser) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.toList()) {
                chownToPostgres(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public Path binDir() {
        return binDir;
    }

    public Path root() {
        return root;
    }

    public Path dataDir() {
        return dataDir;
    }

    public boolean runsAsPostgresUser() {
        return asPostgresUser;
    }

    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + db;
    }

    public Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(db), SUPERUSER, "");
    }

    /** Runs a PostgreSQL server program as the cluster's OS user, failing with its output. */
    public String run(List<String> command) {
        List<String> argv = asServerUser(command);
        try {
            Process p = new ProcessBuilder(argv).directory(root.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + argv);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("command failed (" + p.exitValue() + "): " + argv + "\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void appendAsOwner(Path file, String text) throws IOException {
        Files.writeString(file, Files.readString(file) + "\n" + text);
    }

    private void writeAsOwner(Path file, String text) throws IOException {
        Files.writeString(file, text);
        if (asPostgresUser) {
            chownToPostgres(file);
        }
    }

    static void chownToPostgres(Path path) throws IOException {
        UserPrincipal postgres = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(path, postgres);
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        try {
            run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate", "-w",
                    "stop"));
        } catch (RuntimeException e) {
            System.err.println("could not stop test cluster in " + root + ": " + e.getMessage());
        }
        deleteTree(root);
    }

    /** Deletes {@code dir} and everything below it, if it exists. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** Stops clusters whose owning test JVM died without its shutdown hook (SIGKILL). */
    private static void stopStaleClusters() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> dirs = Files.list(tmp)) {
            dirs.filter(d -> d.getFileName().toString().startsWith("pgsubset-test-")).forEach(PgCluster::stopIfStale);
        } catch (IOException e) {
            System.err.println("could not look for stale test clusters: " + e.getMessage());
        }
    }

    private static void stopIfStale(Path dir) {
        try {
            Path owner = dir.resolve(OWNER_FILE);
            if (!Files.exists(owner)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(owner).trim());
            Optional<ProcessHandle> alive = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (alive.isPresent()) {
                return;
            }
            Path pidFile = dir.resolve("data").resolve("postmaster.pid");
            if (Files.exists(pidFile)) {
                long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
                ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroyForcibly);
            }
            deleteTree(dir);
        } catch (IOException | RuntimeException e) {
            System.err.println("could not clean stale test cluster " + dir + ": " + e.getMessage());
        }
    }
}
