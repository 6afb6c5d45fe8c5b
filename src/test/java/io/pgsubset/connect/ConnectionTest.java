package io.pgsubset.connect;

import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.Standby;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@PgTest
class ConnectionTest {
    private static final String SECRET = "s3cret-Pa55word";

    @BeforeAll
    static void roles(TestDatabase db) {
        db.execute("DROP ROLE IF EXISTS alice; CREATE ROLE alice LOGIN PASSWORD '" + SECRET + "' IN ROLE "
                + PgCluster.PASSWORD_GROUP + "; CREATE TABLE t (id int PRIMARY KEY); GRANT SELECT ON t TO alice;");
    }

    private static List<String> target(TestDatabase db, String user) {
        return List.of("sizes", "-h", db.cluster().host(), "-p", Integer.toString(db.cluster().port()), "-U", user,
                "-d", db.name(), "-w");
    }

    @Test
    void refusedConnectionExitsWith1NamingHostAndPort() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Cli.Result r = Cli.run(Map.of(), List.of("sizes", "-h", "127.0.0.1", "-p", Integer.toString(closedPort),
                "-d", "x", "-U", "x"));
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("pgsubset: error: could not connect to server at 127.0.0.1:" + closedPort),
                r.err());
        assertTrue(r.out().isEmpty());
    }

    @Test
    void wrongPasswordExitsWith1AndNeverShowsThePassword(TestDatabase db) {
        String wrong = "Wr0ng-Pa55word";
        Cli.Result r = Cli.run(Map.of("PGPASSWORD", wrong), target(db, "alice"));
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("password authentication failed for user \"alice\""), r.err());
        assertFalse(r.err().contains(wrong) || r.out().contains(wrong), r::toString);

        Cli.Result verbose = Cli.run(Map.of("PGPASSWORD", wrong), concat(target(db, "alice"), "--verbose"));
        assertEquals(1, verbose.exitCode());
        assertTrue(verbose.err().contains("at "), "verbose shows the stack trace");
        assertFalse(verbose.err().contains(wrong) || verbose.out().contains(wrong), verbose::toString);
    }

    @Test
    void rightPasswordFromTheEnvironmentConnects(TestDatabase db) {
        Cli.Result r = Cli.run(Map.of("PGPASSWORD", SECRET), target(db, "alice"));
        assertEquals(0, r.exitCode(), r::toString);
        assertFalse(r.out().contains(SECRET) || r.err().contains(SECRET));
    }

    @Test
    void passwordFileIsUsed(TestDatabase db, @TempDir Path home) throws Exception {
        Path pgpass = home.resolve(".pgpass");
        Files.writeString(pgpass, "# comment\nother:*:*:*:nope\n127.0.0.1:" + db.cluster().port() + ":*:alice:"
                + SECRET + "\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        Cli.Result viaHome = Cli.run(Map.of("HOME", home.toString()), target(db, "alice"));
        assertEquals(0, viaHome.exitCode(), viaHome::toString);

        Path elsewhere = home.resolve("pass.conf");
        Files.move(pgpass, elsewhere);
        Cli.Result viaVar = Cli.run(Map.of("HOME", home.toString(), "PGPASSFILE", elsewhere.toString()),
                target(db, "alice"));
        assertEquals(0, viaVar.exitCode(), viaVar::toString);

        Cli.Result none = Cli.run(Map.of("HOME", home.toString()), target(db, "alice"));
        assertEquals(1, none.exitCode(), none::toString);
    }

    @Test
    void environmentVariablesAndUrisSelectTheTarget(TestDatabase db) {
        Map<String, String> env = Map.of("PGHOST", db.cluster().host(), "PGPORT", Integer.toString(db.cluster().port()),
                "PGUSER", "alice", "PGPASSWORD", SECRET, "PGDATABASE", db.name());
        Cli.Result byEnv = Cli.run(env, List.of("sizes", "--format", "json"));
        assertEquals(0, byEnv.exitCode(), byEnv::toString);
        assertTrue(byEnv.out().contains("\"table\" : \"t\""), byEnv.out());

        String uri = "postgresql://alice:" + SECRET + "@" + db.cluster().host() + ":" + db.cluster().port() + "/"
                + db.name() + "?sslmode=disable";
        Cli.Result byUri = Cli.run(Map.of(), List.of("sizes", "-d", uri));
        assertEquals(0, byUri.exitCode(), byUri::toString);
        assertFalse(byUri.out().contains(SECRET) || byUri.err().contains(SECRET));
    }

    @Test
    void missingDatabaseIsAUsageError(TestDatabase db) {
        Cli.Result r = Cli.run(Map.of(), List.of("sizes", "-h", db.cluster().host(), "-p",
                Integer.toString(db.cluster().port()), "-U", "postgres", "-d", "no_such_db"));
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals("pgsubset: error: database \"no_such_db\" does not exist on 127.0.0.1:" + db.cluster().port(),
                r.err().strip());
    }

    @Test
    void childProcessesGetTheTargetThroughTheirEnvironment(TestDatabase db) {
        ConnectionTarget t = ConnectionTarget.resolve(
                new ConnectionOptions(java.util.Optional.of(db.cluster().host()),
                        java.util.Optional.of(db.cluster().port()), java.util.Optional.of("alice"),
                        java.util.Optional.of(db.name()), true), Map.of("PGPASSWORD", SECRET));
        Map<String, String> env = t.childEnvironment();
        assertEquals(SECRET, env.get("PGPASSWORD"));
        assertEquals("alice", env.get("PGUSER"));
        assertFalse(t.toString().contains(SECRET));
    }

    @Test
    void hostListsSettleOnTheFirstServerMatchingTargetSessionAttrs(TestDatabase db, @Standby PgCluster standby)
            throws Exception {
        db.cluster().awaitCaughtUp(standby);
        int down;
        try (ServerSocket s = new ServerSocket(0)) {
            down = s.getLocalPort();
        }
        String hosts = "host=127.0.0.1,127.0.0.1,127.0.0.1 port=" + down + "," + db.cluster().port() + ","
                + standby.port() + " user=postgres dbname=" + db.name() + " target_session_attrs=";
        assertEquals(standby.port(), settledPort(hosts + "standby"));
        assertEquals(standby.port(), settledPort(hosts + "prefer-standby"));
        assertEquals(standby.port(), settledPort(hosts + "read-only"));
        assertEquals(db.cluster().port(), settledPort(hosts + "primary"));
        assertEquals(db.cluster().port(), settledPort(hosts + "read-write"));
        assertEquals(db.cluster().port(), settledPort(hosts + "any"), "the closed port is skipped");
        String primaryOnly = "host=127.0.0.1 port=" + db.cluster().port() + " user=postgres dbname=" + db.name();
        assertEquals(db.cluster().port(), settledPort(primaryOnly + " target_session_attrs=prefer-standby"));

        Cli.Result none = Cli.run(Map.of(), List.of("sizes", "-d", primaryOnly + " target_session_attrs=standby"));
        assertEquals(1, none.exitCode(), none::toString);
        assertEquals(1, none.err().lines().count(), none.err());
        assertTrue(none.err().contains("127.0.0.1:" + db.cluster().port() + ": server is not a standby"), none.err());

        Cli.Result fromStandby = Cli.run(Map.of(), List.of("sizes", "--format", "json", "-d", hosts + "standby"));
        assertEquals(0, fromStandby.exitCode(), fromStandby::toString);
    }

    /** The port of the server a connector settles on, checked against what that server says it is. */
    private static int settledPort(String conninfo) throws Exception {
        ConnectionTarget t = ConnectionTarget.resolve(new ConnectionOptions(java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.of(conninfo), true),
                Map.of());
        Connector pinned = new Connector(t).pinned();
        assertEquals(1, pinned.target().endpoints().size());
        try (java.sql.Connection c = pinned.open(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT pg_catalog.current_setting('port')::int")) {
            rs.next();
            assertEquals(pinned.target().endpoints().get(0).port(), rs.getInt(1));
            assertEquals(Integer.toString(rs.getInt(1)), pinned.target().childEnvironment().get("PGPORT"));
            return rs.getInt(1);
        }
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.add(b);
        return out;
    }
}
