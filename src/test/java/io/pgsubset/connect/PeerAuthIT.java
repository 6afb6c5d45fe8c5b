package io.pgsubset.connect;

import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The administrator's case from a stock Debian server: on the database host, as the server's OS
 * user, with no password anywhere. The server's pg_hba.conf lets local sockets in by peer
 * authentication only and asks TCP for a password, so a command that reaches it over TCP, or that
 * hands pg_dump or psql a TCP target, fails. scripts/pgsubset runs on the packaged jar as the
 * server's OS user (through runuser when the tests run as root), from a copy that user can read.
 */
class PeerAuthIT {
    private static final String SOURCE = "Peer Src";
    private static final String TCP_PASSWORD = "tcp-0nly-Pa55";
    private static PgCluster cluster;
    private static Path work;
    private static Path launcher;
    private static Path plan;

    @BeforeAll
    static void peerOnlyServer() throws IOException {
        cluster = PgCluster.start();
        TestDatabase db = TestDatabase.create(cluster, SOURCE);
        db.execute("""
                CREATE TABLE parent (id int PRIMARY KEY, name text);
                CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent);
                INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 200) g;
                INSERT INTO child SELECT g, 1 + g % 200 FROM generate_series(1, 2000) g;
                ALTER ROLE postgres PASSWORD 'PW';
                """.replace("PW", TCP_PASSWORD));
        // in-process tests connect as the JVM's OS user: peer maps it to the role of that name
        String jvmUser = System.getProperty("user.name");
        if (!jvmUser.equals(cluster.osUser()) && !jvmUser.equals(PgCluster.SUPERUSER)) {
            db.execute("CREATE ROLE \"" + jvmUser + "\" SUPERUSER LOGIN");
        }
        if (!cluster.osUser().equals(PgCluster.SUPERUSER)) {
            db.execute("CREATE ROLE \"" + cluster.osUser() + "\" SUPERUSER LOGIN");
        }
        cluster.reconfigure(List.of("local all all peer", "host all all 127.0.0.1/32 scram-sha-256"),
                List.of("unix_socket_directories = '" + cluster.root() + ", /tmp'"));
        work = Files.createTempDirectory("pgsubset-peer-");
        Path root = Path.of(System.getProperty("user.dir"));
        Files.createDirectories(work.resolve("scripts"));
        Files.createDirectories(work.resolve("target"));
        launcher = work.resolve("scripts/pgsubset");
        Files.copy(root.resolve("scripts/pgsubset"), launcher);
        Files.copy(root.resolve("target/pgsubset.jar"), work.resolve("target/pgsubset.jar"));
        plan = work.resolve("plan.yaml");
        Files.writeString(plan, "version: 1\nsample:\n  parent: {every: 4}\nfollow:\n  child: {}\n");
        cluster.giveToServerUser(work);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (work != null) {
            PgCluster.deleteTree(work);
        }
    }

    private record Run(int exitCode, String out, String err) {
    }

    /** scripts/pgsubset as the server's OS user, with {@code env} (plus PATH and HOME) as its whole environment. */
    private static Run run(Map<String, String> env, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of("env", "-i",
                "PATH=" + cluster.binDir() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                "HOME=" + work));
        env.forEach((k, v) -> command.add(k + "=" + v));
        command.add(launcher.toString());
        command.addAll(args);
        Path out = Files.createTempFile("peer", ".out");
        Path err = Files.createTempFile("peer", ".err");
        try {
            Process p = new ProcessBuilder(cluster.asServerUser(command)).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("pgsubset did not finish: " + args);
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    private static List<String> args(String command, List<String> connection, String... more) {
        List<String> out = new ArrayList<>(List.of(command.split(" ")));
        out.addAll(connection);
        out.addAll(List.of(more));
        return out;
    }

    private static String port() {
        return Integer.toString(cluster.port());
    }

    /** sizes, plan check, dump, restore and verify, each reaching the server the way {@code connection} and {@code env} say. */
    private static void everyCommand(String name, Map<String, String> env, List<String> connection,
                                     List<String> source) throws Exception {
        List<String> src = new ArrayList<>(connection);
        src.addAll(source);
        Run sizes = run(env, args("sizes", src, "--format", "json"));
        assertEquals(0, sizes.exitCode(), sizes::toString);
        assertTrue(sizes.out().contains("\"table\" : \"child\""), sizes.out());
        Run check = run(env, args("plan check", src, "--plan", plan.toString()));
        assertEquals(0, check.exitCode(), check::toString);

        String dir = work.resolve("dump-" + name).toString();
        Run dump = run(env, args("dump", src, "--quiet", "--plan", plan.toString(), "--output", dir));
        assertEquals(0, dump.exitCode(), dump::toString);
        List<String> target = new ArrayList<>(connection);
        target.addAll(List.of("-d", "peer copy " + name));
        Run restore = run(env, args("restore", target, "--create", "--quiet", dir));
        assertEquals(0, restore.exitCode(), restore::toString);
        Run verify = run(env, args("verify", target, dir));
        assertEquals(0, verify.exitCode(), verify::toString);
        assertTrue(verify.out().contains("child"), verify.out());
    }

    @Test
    void tcpAsksForThePasswordTheOsUserDoesNotHave() throws Exception {
        Run r = run(Map.of(), List.of("sizes", "-h", "127.0.0.1", "-p", port(), "-d", SOURCE, "-w"));
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("password"), r.err());
    }

    @Test
    void everyCommandConnectsThroughTheSocketDirectoryFlag() throws Exception {
        everyCommand("flag", Map.of(), List.of("-h", cluster.root().toString(), "-p", port()), List.of("-d", SOURCE));
    }

    @Test
    void everyCommandConnectsThroughPghost() throws Exception {
        everyCommand("env", Map.of("PGHOST", cluster.root().toString(), "PGPORT", port()), List.of(),
                List.of("-d", SOURCE));
    }

    @Test
    void everyCommandConnectsThroughAServiceFile() throws Exception {
        Path services = work.resolve("services.conf");
        Files.writeString(services, "[local]\nhost=" + cluster.root() + "\nport=" + port() + "\ndbname=" + SOURCE
                + "\n");
        cluster.giveToServerUser(services);
        // the source comes from the service; the restore target's -d wins over the service's dbname
        everyCommand("service", Map.of("PGSERVICEFILE", services.toString(), "PGSERVICE", "local"), List.of(),
                List.of());
    }

    @Test
    void withoutAHostTheDefaultSocketDirectoryIsUsed() throws Exception {
        Run r = run(Map.of("PGPORT", port()), List.of("sizes", "-d", SOURCE, "-w"));
        assertEquals(0, r.exitCode(), r::toString);
    }

    @Test
    void aWrongSocketDirectoryFailsNamingTheSocketPath() throws Exception {
        Path missing = work.resolve("no-such-dir");
        Run r = run(Map.of(), List.of("sizes", "-h", missing.toString(), "-p", port(), "-d", SOURCE));
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("pgsubset: error: could not connect to server on socket \""
                + missing.resolve(".s.PGSQL." + port()) + "\": "), r.err());
    }

    @Test
    void copyAndCancelRequestsTravelOverTheSocket() throws Exception {
        ConnectionTarget target = ConnectionTarget.resolve(new ConnectionOptions(
                Optional.of(cluster.root().toString()), Optional.of(cluster.port()), Optional.empty(),
                Optional.of(SOURCE), true), Map.of("HOME", work.toString()));
        try (Connection c = new Connector(target).open(); Statement st = c.createStatement()) {
            ByteArrayOutputStream copied = new ByteArrayOutputStream();
            long rows = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyOut("COPY (SELECT g, repeat('x', 100) FROM generate_series(1, 50000) g) TO STDOUT", copied);
            assertEquals(50000, rows);
            assertEquals(50000, copied.toString().lines().count());

            CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(500);
                    c.unwrap(PGConnection.class).cancelQuery();
                } catch (SQLException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> st.execute("SELECT pg_catalog.pg_sleep(120)"));
            cancel.get(60, TimeUnit.SECONDS);
            assertEquals("57014", e.getSQLState(), e::getMessage);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60), "the cancel request arrived");
            assertFalse(c.isClosed());
            assertTrue(st.execute("SELECT 1"), "the session lives on after the cancel");
        }
    }
}
