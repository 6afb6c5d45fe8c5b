package io.pgsubset.cli;

import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dump's source connection, opened while the command line is read (see {@link Preconnect}). */
@PgTest
class PreconnectTest {
    private static final String AHEAD = "since the command started";

    @BeforeAll
    static void tables(TestDatabase db) {
        db.execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 10);");
    }

    @Test
    void guessesTheConnectionFlagsInEverySpelling() {
        ConnectionOptions expected = new ConnectionOptions(Optional.of("db.example"), Optional.of(5433),
                Optional.of("alice"), Optional.of("prod"), false);
        assertEquals(Optional.of(expected), connection(new String[] {"dump", "-h", "db.example", "-p", "5433",
                "-U", "alice", "-d", "prod", "-o", "out"}));
        assertEquals(Optional.of(expected), connection(new String[] {"dump", "-hdb.example", "-p5433",
                "-Ualice", "-dprod", "--plan", "p.yaml"}));
        assertEquals(Optional.of(expected), connection(new String[] {"dump", "--host=db.example",
                "--port", "5433", "--username=alice", "--dbname", "prod"}));
        assertEquals(Optional.of(new ConnectionOptions(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of("service=x"), true)), connection(new String[] {"dump", "-w", "-d", "service=x"}));
        // the last one counts, as in picocli for a single-value option
        assertEquals(Optional.of("b"), connection(new String[] {"dump", "-d", "a", "-d", "b"})
                .flatMap(ConnectionOptions::dbname));
    }

    @Test
    void guessesTheStatementTimeoutThatBoundsTheCatalogQueries() {
        assertEquals(Optional.of(Optional.of("5min")), Preconnect.guess(new String[] {"dump", "-d", "prod",
                "--statement-timeout", "5min"}).map(Preconnect.Guess::statementTimeout));
        assertEquals(Optional.of(Optional.of("30s")), Preconnect.guess(new String[] {"clone", "--statement-timeout=30s",
                "-d", "prod"}).map(Preconnect.Guess::statementTimeout));
        assertEquals(Optional.of(Optional.empty()), Preconnect.guess(new String[] {"dump", "-d", "prod"})
                .map(Preconnect.Guess::statementTimeout));
    }

    private static Optional<ConnectionOptions> connection(String[] args) {
        return Preconnect.guess(args).map(Preconnect.Guess::connection);
    }

    @Test
    void guessesNothingForOtherCommandsHelpOrABadPort() {
        assertEquals(Optional.empty(), Preconnect.guess(new String[] {"restore", "dir", "-d", "prod"}));
        assertEquals(Optional.empty(), Preconnect.guess(new String[] {"sizes", "-d", "prod"}));
        assertEquals(Optional.empty(), Preconnect.guess(new String[] {"dump", "-d", "prod", "--help"}));
        assertEquals(Optional.empty(), Preconnect.guess(new String[] {"dump", "-V"}));
        assertEquals(Optional.empty(), Preconnect.guess(new String[] {"dump", "-p", "fivefourthreetwo"}));
        assertEquals(Optional.empty(), Preconnect.guess(new String[] {"dump"}));
        assertEquals(Optional.empty(), Preconnect.guess(new String[0]));
    }

    @Test
    void dumpTakesTheConnectionOpenedAheadAndLeavesNoSession(TestDatabase db, @TempDir Path dir) {
        Cli.Result r = Cli.against(db, "dump", "-o", dir.resolve("d").toString(), "--verbose");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().contains(AHEAD), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.contains("phase connect:")).count(), r.err());
        assertNoOtherSession(db);
    }

    @Test
    void theDumpsSnapshotAndCatalogAreBegunAheadWithItsStatementTimeout(TestDatabase db, @TempDir Path dir) {
        Cli.Result r = Cli.against(db, "dump", "-o", dir.resolve("d").toString(), "--statement-timeout", "5min",
                "--verbose");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().contains("begun with the catalog while the command started"), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.contains("phase catalog:")).count(), r.err());
        assertNoOtherSession(db);
        // a timeout the server refuses is the same usage error as without the start ahead
        Cli.Result bad = Cli.against(db, "dump", "-o", dir.resolve("e").toString(), "--statement-timeout", "soon");
        assertEquals(2, bad.exitCode(), bad::toString);
        assertTrue(bad.err().startsWith("pgsubset: error: invalid --statement-timeout \"soon\""), bad.err());
        assertNoOtherSession(db);
    }

    @Test
    void aDumpThatStopsBeforeItsSnapshotEndsWhatWasBegunAhead(TestDatabase db, @TempDir Path dir) throws Exception {
        Path notADump = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(notADump.resolve("keep.txt"), "precious");
        Cli.Result r = Cli.against(db, "dump", "-o", notADump.toString(), "--force");
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals("precious", Files.readString(notADump.resolve("keep.txt")));
        assertNoOtherSession(db);
    }

    @Test
    void cloneTakesItsSourceConnectionOpenedAhead(TestDatabase db) {
        TestDatabase target = db.absentSibling("preconnect_clone");
        List<String> args = new ArrayList<>(List.of("clone"));
        args.addAll(db.connectionArgs());
        args.addAll(List.of("--target", db.existing(target.name()).conninfo(), "--create", "--verbose"));
        Cli.Result r = Cli.run(Map.of(), args);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().contains(AHEAD), r.err());
        assertEquals(10, target.queryLong("SELECT count(*) FROM t"));
        assertNoOtherSession(db);
    }

    @Test
    void aFailedAttemptIsTheDumpsFailureNotTriedTwice(@TempDir Path dir) throws Exception {
        // a "server" that accepts and hangs up: every attempt to connect is one accept
        AtomicInteger attempts = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        attempts.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Cli.Result r = Cli.run(Map.of(), List.of("dump", "-h", "127.0.0.1", "-p",
                    Integer.toString(server.getLocalPort()), "-U", "x", "-d", "x", "-o", dir.resolve("d").toString()));
            assertEquals(1, r.exitCode(), r::toString);
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("pgsubset: error: could not connect to"), r.err());
            assertFalse(Files.exists(dir.resolve("d")));
        }
        assertEquals(1, attempts.get(), "connection attempts");
    }

    @Test
    void otherFlagsThanGuessedConnectAgainAndCloseTheGuess(TestDatabase db, @TempDir Path dir) {
        // -wq is -w and -q to picocli, not -w to the guess: the flags differ, so the dump connects itself
        List<String> args = new ArrayList<>(List.of("dump"));
        args.addAll(db.connectionArgs());
        args.addAll(List.of("-wq", "-o", dir.resolve("d").toString(), "--verbose"));
        Cli.Result r = Cli.run(Map.of(), args);
        assertEquals(0, r.exitCode(), r::toString);
        assertFalse(r.err().contains(AHEAD), r.err());
        assertTrue(Files.isRegularFile(dir.resolve("d/manifest.json")));
        assertNoOtherSession(db);
    }

    @Test
    void aPlanMistakeStillComesFirstAndTheConnectionIsClosed(TestDatabase db, @TempDir Path dir) throws Exception {
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, "version: 1\nsample:\n  t: {every: 0}\n");
        Cli.Result r = Cli.against(db, "dump", "--plan", plan.toString(), "-o", dir.resolve("d").toString());
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith(plan + ":"), r.err());
        assertFalse(Files.exists(dir.resolve("d")));
        assertNoOtherSession(db);
    }

    /** No session of the database but the test's own, once the server has seen the closed ones go. */
    private static void assertNoOtherSession(TestDatabase db) {
        String sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
        long others = db.queryLong(sql);
        for (int i = 0; i < 100 && others > 0; i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            others = db.queryLong(sql);
        }
        assertEquals(0, others, "sessions left open: " + db.query(
                "SELECT pid, application_name, state, query FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND pid <> pg_backend_pid()"));
    }
}
