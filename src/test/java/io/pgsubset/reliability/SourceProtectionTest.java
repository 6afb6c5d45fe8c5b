package io.pgsubset.reliability;

import io.pgsubset.testing.Cli;
import io.pgsubset.testing.CliProcess;
import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.Standby;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Protecting the source": what a dump or clone leaves running on the source when it is stopped,
 * which of the source's timeouts can end it, and what a hot standby's cancellation says.
 */
@PgTest
class SourceProtectionTest {
    private static final String ROLE = "pgsubset_protect_reader";
    /** A closure that runs for a minute on the server unless something cancels it. */
    private static final String SLOW_CLOSURE = """
            version: 1
            sample:
              tick: {every: 1, where: "(SELECT pg_catalog.pg_sleep(%d)) IS NOT NULL"}
            """;
    /** A copy of {@code slow} that takes about a second and a half: each row sleeps 5 ms. */
    private static final String SLOW_COPY = """
            version: 1
            transform:
              slow:
                v: "v || pg_catalog.pg_sleep(0.005)::text"
            """;

    @BeforeAll
    static void fixture(TestDatabase db) {
        db.execute("""
                CREATE TABLE tick (id int PRIMARY KEY, v text);
                INSERT INTO tick SELECT g, 't' || g FROM generate_series(1, 100) g;
                CREATE TABLE slow (id int PRIMARY KEY, v text);
                INSERT INTO slow SELECT g, 's' || g FROM generate_series(1, 300) g;
                CREATE TABLE other (id int PRIMARY KEY, v text);
                INSERT INTO other SELECT g, 'o' || g FROM generate_series(1, 2000) g;
                CREATE TABLE wide_a (id int PRIMARY KEY, v text);
                INSERT INTO wide_a SELECT g, repeat('a', 90) FROM generate_series(1, 16000) g;
                CREATE TABLE wide_b (id int PRIMARY KEY, v text);
                INSERT INTO wide_b SELECT g, repeat('b', 90) FROM generate_series(1, 16000) g;
                CREATE TABLE big (id bigint PRIMARY KEY, payload text);
                INSERT INTO big SELECT g, md5(g::text) || repeat('x', 60) FROM generate_series(1, 40000) g;
                DROP ROLE IF EXISTS @ROLE@;
                CREATE ROLE @ROLE@ LOGIN;
                GRANT SELECT ON ALL TABLES IN SCHEMA public TO @ROLE@;
                """.replace("@ROLE@", ROLE));
    }

    private static String sleeping(int seconds) {
        return "pg_sleep(" + seconds + ")";
    }

    /**
     * Whether the dump in {@code tmp} has its schema: pg_dump has ended (its archive is removed once
     * pg_restore has written both sections from it).
     */
    private static boolean schemaWritten(Path tmp) throws IOException {
        try (var partial = Files.list(tmp)) {
            return partial.filter(p -> p.getFileName().toString().startsWith(".out.pgsubset-partial-"))
                    .anyMatch(p -> Files.exists(p.resolve("schema/pre-data.sql"))
                            && !Files.exists(p.resolve("schema/.schema.pgdump")));
        }
    }

    /** The dump's queries still running on the server (the sleep of {@link #SLOW_CLOSURE}). */
    private static long running(TestDatabase db, String what) {
        return db.queryLong("SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = current_database() "
                + "AND state = 'active' AND pid <> pg_catalog.pg_backend_pid() AND query LIKE '%" + what + "%'");
    }

    /**
     * Ctrl-C (and SIGTERM) while the closure's query runs: the query is cancelled on the server
     * within a second, the exit code is the signal's, and nothing is left on disk (the dump's
     * directory, the clone's private work directory).
     */
    @ParameterizedTest(name = "{0} SIG{1}")
    @CsvSource({"dump, INT, 130", "dump, TERM, 143", "clone, INT, 130"})
    void aSignalCancelsTheRunningQueryOnTheServer(String command, String signal, int exit, TestDatabase db,
                                                  @TempDir Path tmp) throws Exception {
        String sleep = sleeping(60);
        Path plan = Files.writeString(tmp.resolve("slow.yaml"), SLOW_CLOSURE.formatted(60));
        Path out = tmp.resolve("out");
        Path javaTmp = Files.createDirectory(tmp.resolve("java-tmp"));
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(db.connectionArgs());
        if (command.equals("dump")) {
            args.addAll(List.of("-o", out.toString()));
        } else {
            args.addAll(List.of("--target", "host=" + db.cluster().host() + " port=" + db.cluster().port()
                    + " user=" + PgCluster.SUPERUSER + " dbname=" + db.name() + "_never", "--create"));
        }
        args.addAll(List.of("--plan", plan.toString(), "--jobs", "2"));
        try (CliProcess p = CliProcess.start(Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + javaTmp), args)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (running(db, sleep) == 0) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, p::toString);
                Thread.sleep(50);
            }
            if (signal.equals("INT")) {
                p.interrupt();
            } else {
                p.terminate();
            }
            assertEquals(exit, p.waitFor(Duration.ofSeconds(30)), p::toString);
            long exited = System.nanoTime();
            while (running(db, sleep) > 0 && System.nanoTime() - exited < TimeUnit.SECONDS.toNanos(1)) {
                Thread.sleep(20);
            }
            assertEquals(0, running(db, sleep), () -> "the closure's query runs on after the exit\n" + p);
            assertFalse(Files.exists(out), "an interrupted dump wrote " + out);
            try (Stream<Path> left = Stream.concat(Files.list(tmp), Files.list(javaTmp))) {
                List<String> names = left.map(f -> f.getFileName().toString())
                        .filter(n -> n.contains("pgsubset")).toList();
                assertEquals(List.of(), names, "an interrupted " + command + " left files behind");
            }
        }
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_database WHERE datname = '" + db.name() + "_never'"));
    }

    @Test
    void aStatementTimeoutEndsASlowClosureQueryWithAClearMessage(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path plan = Files.writeString(tmp.resolve("slow.yaml"), SLOW_CLOSURE.formatted(5));
        Cli.Result r = Dumps.dump(db, tmp.resolve("out"), "--plan", plan.toString(), "--statement-timeout", "1s");
        Dumps.assertOneClearError(r, 1);
        assertTrue(r.err().contains("--statement-timeout 1s") && r.err().contains("statement timeout"), r::toString);
        assertFalse(Files.exists(tmp.resolve("out")));

        Cli.Result bad = Dumps.dump(db, tmp.resolve("bad"), "--statement-timeout", "soon");
        Dumps.assertOneClearError(bad, 2);
        assertTrue(bad.err().contains("invalid --statement-timeout \"soon\""), bad::toString);
    }

    /** The copy is never timed: on the leader's connection (one job), a COPY longer than the timeout goes through. */
    @Test
    void aStatementTimeoutNeverEndsACopy(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path plan = Files.writeString(tmp.resolve("slow.yaml"), SLOW_COPY);
        var manifest = Dumps.dumpOk(db, tmp.resolve("out"), "--plan", plan.toString(), "--statement-timeout", "1s");
        assertEquals(300, Dumps.manifestRows(manifest).get("public.slow"));
    }

    /**
     * A role whose statement_timeout and idle_in_transaction_session_timeout (set by the DBA for
     * everything it runs) are shorter than the copy: the leader sits idle in its transaction while
     * the workers copy for longer than that, and the dump still completes.
     */
    @Test
    void theSourcesOwnTimeoutsDoNotEndADump(TestDatabase db, @TempDir Path tmp) throws Exception {
        db.execute("ALTER ROLE " + ROLE + " SET statement_timeout = '300ms';"
                + "ALTER ROLE " + ROLE + " SET idle_in_transaction_session_timeout = '300ms'");
        try {
            Path plan = Files.writeString(tmp.resolve("slow.yaml"), SLOW_COPY);
            List<String> args = new ArrayList<>(List.of("dump", "-h", db.cluster().host(), "-p",
                    Integer.toString(db.cluster().port()), "-U", ROLE, "-d", db.name(), "-o",
                    tmp.resolve("out").toString(), "--plan", plan.toString(), "--jobs", "2"));
            Cli.Result r = Cli.run(Map.of(), args);
            assertEquals(0, r.exitCode(), r::toString);
            var manifest = Dumps.manifest(tmp.resolve("out"));
            assertEquals(300, Dumps.manifestRows(manifest).get("public.slow"));
            double copy = manifest.phases().stream().filter(ph -> ph.name().equals("copy public.slow"))
                    .mapToDouble(ph -> ph.seconds()).sum();
            assertTrue(copy > 0.6, "the copy must outlast the role's timeouts to prove anything: " + copy + " s");
        } finally {
            db.execute("ALTER ROLE " + ROLE + " RESET ALL");
        }
    }

    /**
     * --max-rate holds two jobs together to the rate: the bytes of the dump over the time of its
     * data phase stay near it (wide margins: the machine may be busy, but no busy machine makes a
     * copy faster than its limit).
     */
    @Test
    void maxRateHoldsEveryJobTogetherNearTheRate(TestDatabase db, @TempDir Path tmp) {
        long rate = 1 << 20;
        var manifest = Dumps.dumpOk(db, tmp.resolve("out"), "--jobs", "2", "--max-rate", "1MB/s");
        long bytes = manifest.tables().stream().mapToLong(t -> t.bytes()).sum();
        double seconds = manifest.phases().stream().filter(ph -> ph.name().equals("data"))
                .mapToDouble(ph -> ph.seconds()).sum();
        assertTrue(bytes > 2.5 * rate, "too little data to measure a rate: " + bytes);
        double measured = bytes / seconds;
        assertTrue(measured < 1.3 * rate && measured > 0.3 * rate,
                "copied " + bytes + " bytes in " + seconds + " s: " + measured + " bytes/s for a limit of " + rate);

        Cli.Result bad = Dumps.dump(db, tmp.resolve("bad"), "--max-rate", "fast");
        Dumps.assertOneClearError(bad, 2);
        assertTrue(bad.err().contains("--max-rate"), bad::toString);
    }

    /**
     * Only {@code big}, split into block ranges of 1 MB with two jobs; every 200th row sleeps, so that
     * its copies run on the server for a few seconds (a throttled client would not keep them there:
     * the server hands a range of this size to the socket buffers at once).
     */
    private static final String BIG_ONLY = """
            version: 1
            unlisted: skip
            full: [big]
            transform:
              big:
                payload: "payload || CASE WHEN id % 200 = 0 THEN pg_catalog.pg_sleep(0.02)::text ELSE '' END"
            """;

    /**
     * The copies of {@code big}'s block ranges that read from {@code db}, by pid: the workers'. Not
     * any COPY: the header-only copies of the skipped tables may run on the leader's connection,
     * whose loss ends the run.
     */
    private static List<String> sourceCopies(TestDatabase db) {
        return db.query("SELECT pid FROM pg_catalog.pg_stat_activity WHERE datname = current_database() "
                + "AND application_name = 'pgsubset' AND state = 'active' "
                + "AND query LIKE 'COPY (SELECT%FROM ONLY \"public\".\"big\"%ctid%TO STDOUT%'")
                .stream().map(r -> r.get(0)).toList();
    }

    /** Waits until {@code n} copies read from {@code db}; fails if {@code run} ends first. */
    private static List<String> awaitCopies(TestDatabase db, int n, CompletableFuture<Cli.Result> run)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> pids;
        while ((pids = sourceCopies(db)).size() < n) {
            assertTrue(!run.isDone() && System.nanoTime() < deadline, () -> "no copies seen: " + run.join());
            Thread.sleep(20);
        }
        return pids;
    }

    private static void terminate(TestDatabase db, List<String> pids) {
        for (String pid : pids) {
            db.execute("SELECT pg_catalog.pg_terminate_backend(" + Long.parseLong(pid) + ")");
        }
    }

    /**
     * pg_terminate_backend of both workers while they copy block ranges of one table (one writes
     * into the data file itself, the other into a part file): each reconnects on the same
     * snapshot and copies its range again, its partial output discarded, so the files, their
     * sha256 and row digests are those of a dump nobody disturbed; it restores and verifies.
     */
    @Test
    void workersWhoseConnectionsAreTerminatedReconnectAndTheDumpIsWhole(TestDatabase db, @TempDir Path tmp)
            throws Exception {
        Path plan = Files.writeString(tmp.resolve("big.yaml"), BIG_ONLY);
        String[] flags = {"--plan", plan.toString(), "--jobs", "2", "--part-size", "1MB"};
        var undisturbed = Dumps.dumpOk(db, tmp.resolve("undisturbed"), flags);
        assertTrue(undisturbed.phases().stream().anyMatch(ph -> ph.name().startsWith("copy public.big")));

        Path out = tmp.resolve("out");
        CompletableFuture<Cli.Result> dump = CompletableFuture.supplyAsync(() -> Dumps.dump(db, out, flags));
        terminate(db, awaitCopies(db, 2, dump));
        Cli.Result r = dump.get(120, TimeUnit.SECONDS);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().contains("connection was lost") && r.err().contains("reconnecting"), r::toString);
        var disturbed = Dumps.manifest(out);
        assertEquals(undisturbed.tables(), disturbed.tables(), "files, sha256 and row digests as if nothing happened");

        TestDatabase target = db.sibling("reconnected");
        assertEquals(0, Dumps.restore(target, out).exitCode());
        Cli.Result verified = Dumps.verify(target, out);
        assertEquals(0, verified.exitCode(), verified::toString);
    }

    /** The same for a clone: the source side of a pair reconnects, the target rolls back only that piece. */
    @Test
    void aCloneWorkerWhoseSourceConnectionIsTerminatedReconnects(TestDatabase db, @TempDir Path tmp)
            throws Exception {
        Path plan = Files.writeString(tmp.resolve("big.yaml"), BIG_ONLY);
        TestDatabase target = db.absentSibling("clone_reconnected");
        CompletableFuture<Cli.Result> clone = CompletableFuture.supplyAsync(() -> Cli.run(Map.of(),
                Stream.concat(Stream.concat(Stream.of("clone"), db.connectionArgs().stream()),
                        Stream.of("--target", target.conninfo(), "--create", "--plan", plan.toString(), "--jobs", "2",
                                "--part-size", "1MB")).toList()));
        terminate(db, awaitCopies(db, 1, clone).subList(0, 1));
        Cli.Result r = clone.get(120, TimeUnit.SECONDS);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().contains("reconnecting"), r::toString);
        String content = "SELECT count(*) || ' ' || md5(string_agg(id || payload, ',' ORDER BY id)) FROM big";
        assertEquals(db.queryValue(content), target.queryValue(content));
    }

    /**
     * The leader's connection holds the snapshot: when it is terminated the run cannot complete as
     * one instant, so it fails with one message saying so, and leaves no dump directory.
     */
    @Test
    void losingTheLeaderEndsTheDumpWithOneMessage(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path plan = Files.writeString(tmp.resolve("big.yaml"), BIG_ONLY);
        Path out = tmp.resolve("out");
        CompletableFuture<Cli.Result> dump = CompletableFuture.supplyAsync(() -> Dumps.dump(db, out, "--plan",
                plan.toString(), "--jobs", "2", "--part-size", "1MB"));
        awaitCopies(db, 1, dump);
        terminate(db, db.query("SELECT pid FROM pg_catalog.pg_stat_activity WHERE datname = current_database() "
                + "AND application_name = 'pgsubset' AND state LIKE 'idle in transaction%'")
                .stream().map(row -> row.get(0)).toList());
        Cli.Result r = dump.get(120, TimeUnit.SECONDS);
        Dumps.assertOneClearError(r, 1);
        assertTrue(r.err().contains("lost the connection that holds the snapshot"), r::toString);
        assertFalse(Files.exists(out), "a dump without its snapshot wrote " + out);
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.map(f -> f.getFileName().toString())
                    .filter(n -> n.contains("pgsubset")).toList());
        }
    }

    /**
     * A standby that does not wait for queries (max_standby_streaming_delay = 0, no feedback): a
     * VACUUM on the primary of rows the dump's snapshot still sees cancels the dump's query, and
     * the message names the two settings that help and what each costs.
     */
    @Test
    void aRecoveryConflictNamesTheStandbySettings(TestDatabase db, @Standby PgCluster standby, @TempDir Path tmp)
            throws Exception {
        db.execute("CREATE TABLE doomed (id int PRIMARY KEY, v text); "
                + "INSERT INTO doomed SELECT g, 'd' || g FROM generate_series(1, 1000) g");
        db.cluster().awaitCaughtUp(standby);
        TestDatabase replica = db.on(standby);
        // ALTER SYSTEM runs on a standby (it writes postgresql.auto.conf there), one statement at a time
        replica.execute("ALTER SYSTEM SET hot_standby_feedback = off");
        replica.execute("ALTER SYSTEM SET max_standby_streaming_delay = 0");
        replica.execute("SELECT pg_catalog.pg_reload_conf()");
        try {
            Path plan = Files.writeString(tmp.resolve("slow.yaml"), SLOW_CLOSURE.formatted(30));
            CompletableFuture<Cli.Result> dump = CompletableFuture.supplyAsync(
                    () -> Dumps.dump(replica, tmp.resolve("out"), "--plan", plan.toString()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // the closure's query runs, and pg_dump (begun beside it) is done: the conflict is the query's,
            // not pg_dump's, whose session would otherwise be terminated first on a loaded machine
            while (running(replica, sleeping(30)) == 0 || !schemaWritten(tmp)) {
                assertTrue(!dump.isDone() && System.nanoTime() < deadline, () -> dump.join().toString());
                Thread.sleep(50);
            }
            db.execute("DELETE FROM doomed");
            db.execute("VACUUM doomed");
            Cli.Result r = dump.get(60, TimeUnit.SECONDS);
            Dumps.assertOneClearError(r, 1);
            String error = r.err().lines().filter(l -> l.startsWith("pgsubset: error:")).findFirst().orElseThrow();
            assertTrue(error.contains("conflict with recovery") && error.contains("hot_standby_feedback")
                    && error.contains("max_standby_streaming_delay") && error.contains("bloat")
                    && error.contains("falls behind"), r::toString);
            assertTrue(r.err().contains("pgsubset: warning: the source is a hot standby with hot_standby_feedback = off"),
                    r::toString);
        } finally {
            replica.execute("ALTER SYSTEM RESET hot_standby_feedback");
            replica.execute("ALTER SYSTEM RESET max_standby_streaming_delay");
            replica.execute("SELECT pg_catalog.pg_reload_conf()");
            db.execute("DROP TABLE doomed");
        }
    }
}
