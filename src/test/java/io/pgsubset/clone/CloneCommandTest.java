package io.pgsubset.clone;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.CliProcess;
import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pgsubset clone}: the rows of dump + restore, without files; --replace; a kill; concurrent writers. */
@PgTest
class CloneCommandTest {
    private static final String SALT = "clone-test-salt";

    @TempDir
    static Path tmp;

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE SCHEMA "Odd ""Schema""\";
                CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE, name text);
                CREATE TABLE "Odd ""Schema""\".parent ("Key A" int, "key b" text, note text, PRIMARY KEY ("Key A", "key b"));
                CREATE TABLE "Odd ""Schema""\".\"child
                table" (id int PRIMARY KEY, a int, b text, user_id int REFERENCES users,
                        FOREIGN KEY (a, b) REFERENCES "Odd ""Schema""\".parent);
                CREATE TABLE events (id int, at date, user_id int REFERENCES users, payload text,
                        PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
                CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
                CREATE TABLE big (id int PRIMARY KEY, pad text);
                INSERT INTO users (email, name) SELECT 'u' || g || '@example.com', 'Name "' || g || '"' || chr(10) || 'line'
                  FROM generate_series(1, 300) g;
                INSERT INTO "Odd ""Schema""\".parent SELECT g, 'k,' || g, 'quote '' and \\ backslash'
                  FROM generate_series(1, 50) g;
                INSERT INTO "Odd ""Schema""\".\"child
                table" SELECT g, 1 + g % 50, 'k,' || (1 + g % 50), 1 + g % 300 FROM generate_series(1, 400) g;
                INSERT INTO events SELECT g, date '2024-06-01' + (g % 400), 1 + g % 300, CASE WHEN g % 7 = 0 THEN NULL
                  ELSE repeat('e', g % 50) END FROM generate_series(1, 2000) g;
                INSERT INTO big SELECT g, repeat('x', 300) FROM generate_series(1, 20000) g;
                SELECT setval('users_id_seq', 1000);
                ANALYZE;
                """);
    }

    private static Path plan() throws Exception {
        Path p = tmp.resolve("plan.yaml");
        Files.writeString(p, """
                version: 1
                sample:
                  users: {every: 3}
                transform:
                  users:
                    email: email
                """);
        return p;
    }

    private static Map<String, String> saltEnv() {
        return Map.of("PGSUBSET_SALT", SALT);
    }

    private static String conninfo(TestDatabase db, String dbname) {
        return db.existing(dbname).conninfo();
    }

    private static Cli.Result clone(TestDatabase source, String targetDb, String... more) {
        List<String> args = new ArrayList<>(List.of("clone"));
        args.addAll(source.connectionArgs());
        args.addAll(List.of("--target", conninfo(source, targetDb), "--quiet"));
        args.addAll(List.of(more));
        return Cli.run(saltEnv(), args);
    }

    /** Every table's rows as one ordered text: equal for equal contents. */
    private static String content(TestDatabase db, String table) {
        return db.queryValue("SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), 'empty') FROM "
                + table + " t");
    }

    private static final List<String> TABLES = List.of("users", "\"Odd \"\"Schema\"\"\".parent",
            "\"Odd \"\"Schema\"\"\".\"child\ntable\"", "events", "big");

    @Test
    void cloneHasTheRowsAndDigestsOfDumpAndRestore(TestDatabase db) throws Exception {
        Path out = tmp.resolve("dump");
        List<String> dump = new ArrayList<>(List.of("dump"));
        dump.addAll(db.connectionArgs());
        dump.addAll(List.of("--plan", plan().toString(), "-o", out.toString(), "--quiet"));
        Cli.Result d = Cli.run(saltEnv(), dump);
        assertEquals(0, d.exitCode(), d::toString);
        Manifest manifest = ManifestIO.read(out);
        TestDatabase restored = db.absentSibling("restored");
        List<String> restore = new ArrayList<>(List.of("restore", out.toString(), "--create", "--quiet"));
        restore.addAll(restored.connectionArgs());
        Cli.Result r = Cli.run(Map.of(), restore);
        assertEquals(0, r.exitCode(), r::toString);

        TestDatabase cloned = db.absentSibling("cloned");
        Set<Path> workDirsBefore = cloneWorkDirectories();
        Cli.Result c = clone(db, cloned.name(), "--plan", plan().toString(), "--create", "--jobs", "2",
                "--part-size", "1MB", "--format", "json");
        assertEquals(0, c.exitCode(), c::toString);
        JsonNode json = ManifestIO.mapper().readTree(c.out());
        assertEquals(cloned.name(), json.get("database").asText());
        Map<String, String> cloneDigests = new HashMap<>();
        json.get("tables").forEach(t -> {
            cloneDigests.put(t.get("schema").asText() + "." + t.get("table").asText(),
                    t.get("rows").asLong() + " " + t.get("row_digest").asText());
            assertTrue(t.get("ok").asBoolean(), t::toString);
        });
        Map<String, String> dumpDigests = new HashMap<>();
        manifest.tables().forEach(t -> dumpDigests.put(t.schema() + "." + t.name(), t.rows() + " " + t.rowDigest()));
        assertEquals(dumpDigests, cloneDigests, "the clone's rows and digests are the dump's");
        for (String table : TABLES) {
            assertEquals(content(restored, table), content(cloned, table), table);
        }
        assertTrue(db.queryLong("SELECT count(*) FROM users") > cloned.queryLong("SELECT count(*) FROM users"),
                "a subset, not a copy");
        assertEquals(restored.queryValue("SELECT last_value FROM users_id_seq"),
                cloned.queryValue("SELECT last_value FROM users_id_seq"), "sequences as in the snapshot");
        assertEquals(1, cloned.queryLong("SELECT count(*) FROM pg_constraint WHERE conname = 'events_user_id_fkey'"
                + " AND conrelid = 'events'::regclass"), "post-data is in the target");
        // a table loaded whole is written frozen: its pages all-visible (the test cluster runs no
        // autovacuum); big, loaded in block ranges by two transactions, cannot be and is not
        assertEquals("t", cloned.queryValue("SELECT relpages > 0 AND relallvisible = relpages FROM pg_class"
                + " WHERE oid = 'users'::regclass"), "users frozen");
        assertTrue(cloned.queryLong("SELECT count(DISTINCT xmin::text) FROM big") >= 2, "big in block ranges");
        assertEquals(0, cloned.queryLong("SELECT relallvisible FROM pg_class WHERE oid = 'big'::regclass"));
        Cli.Result v = Cli.run(Map.of(), verifyArgs(out, cloned));
        assertEquals(0, v.exitCode(), v::toString);
        assertEquals(workDirsBefore, cloneWorkDirectories(), "the clone left its work directory behind");
    }

    /**
     * Statistics behind the data (rows added after ANALYZE): the closure only estimates a full table
     * and children the server joins, so those counts are shown as estimates and the snapshot's rows
     * arrive, while a counted table is still held to its count.
     */
    @Test
    void estimatedCountsAreShownAsSuchAndDoNotFailTheClone(TestDatabase db) throws Exception {
        TestDatabase source = db.sibling("stale");
        source.execute("""
                CREATE TABLE account (id int PRIMARY KEY);
                CREATE TABLE login (id int PRIMARY KEY, account_id int NOT NULL REFERENCES account);
                CREATE TABLE country (code text PRIMARY KEY);
                INSERT INTO account SELECT g FROM generate_series(1, 100) g;
                INSERT INTO login SELECT g, 1 + g % 100 FROM generate_series(1, 300) g;
                INSERT INTO country SELECT 'c' || g FROM generate_series(1, 10) g;
                ANALYZE;
                INSERT INTO account SELECT g FROM generate_series(101, 1000) g;
                INSERT INTO login SELECT g, 1 + g % 1000 FROM generate_series(301, 5000) g;
                INSERT INTO country SELECT 'c' || g FROM generate_series(11, 200) g;
                """);
        Path plan = tmp.resolve("stale.yaml");
        Files.writeString(plan, "version: 1\nsample:\n  account: {every: 10}\n");
        TestDatabase target = db.absentSibling("stale_copy");
        List<String> args = new ArrayList<>(List.of("clone"));
        args.addAll(source.connectionArgs());
        args.addAll(List.of("--target", target.conninfo(), "--create", "-q", "--format", "json", "--plan",
                plan.toString()));
        Cli.Result c = Cli.run(Map.of(), args);
        assertEquals(0, c.exitCode(), c::toString);
        Map<String, JsonNode> byTable = new HashMap<>();
        ManifestIO.mapper().readTree(c.out()).get("tables").forEach(t -> byTable.put(t.get("table").asText(), t));
        assertEquals(100, byTable.get("account").get("rows").asLong());
        assertTrue(byTable.get("account").get("subset_rows_counted").asBoolean(), c::toString);
        assertEquals(200, byTable.get("country").get("rows").asLong(), "a full table: the snapshot's rows");
        assertFalse(byTable.get("country").get("subset_rows_counted").asBoolean(), c::toString);
        assertEquals(source.queryLong("SELECT count(*) FROM login WHERE account_id % 10 = 0"),
                byTable.get("login").get("rows").asLong(), "children the server joined");
        assertFalse(byTable.get("login").get("subset_rows_counted").asBoolean(), c::toString);
        assertEquals(200, target.queryLong("SELECT count(*) FROM country"));
    }

    /** The clone work directories in the shared temporary directory (a SIGKILLed clone may have left one). */
    private static Set<Path> cloneWorkDirectories() throws IOException {
        try (var all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("pgsubset-clone-")).collect(Collectors.toSet());
        }
    }

    private static List<String> verifyArgs(Path dump, TestDatabase target) {
        List<String> args = new ArrayList<>(List.of("verify", dump.toString()));
        args.addAll(target.connectionArgs());
        return args;
    }

    @Test
    void replaceSwapsInTheCloneUnderAConnectedSession(TestDatabase db) throws Exception {
        TestDatabase target = db.sibling("replaced");
        target.execute("CREATE TABLE old_content (id int); INSERT INTO old_content VALUES (42);");
        try (Connection session = target.connect()) {
            Cli.Result refused = clone(db, target.name(), "--plan", plan().toString(), "--replace");
            assertEquals(2, refused.exitCode(), refused::toString);
            assertTrue(refused.err().contains("--terminate"), refused::toString);
            assertEquals("42", target.queryValue("SELECT id FROM old_content"));

            Cli.Result c = clone(db, target.name(), "--plan", plan().toString(), "--replace", "--terminate");
            assertEquals(0, c.exitCode(), c::toString);
            assertTrue(c.out().contains("kept as \"" + target.name() + "__pgsubset_old_"), c::toString);
            assertFalse(session.isValid(2), "the session was ended at the swap");
        }
        assertEquals(0, target.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'old_content'"));
        assertEquals(content(db, "big"), content(target, "big"));
        db.execute("SELECT 1");
    }

    /**
     * SIGKILL while the rows stream (a transform that sleeps makes the copy take seconds): the
     * target is untouched, and the next --replace clears the half-built database and succeeds.
     */
    @Test
    void aKillDuringTheCopyLeavesTheTargetAsItWas(TestDatabase db) throws Exception {
        TestDatabase target = db.sibling("killed");
        killWhileBigIsLoaded(db, target, "--replace");
        assertEquals("7", target.queryValue("SELECT id FROM old_content"));
        assertEquals(0, target.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'big'"));
        Cli.Result c = clone(db, target.name(), "--plan", plan().toString(), "--replace", "--drop-old");
        assertEquals(0, c.exitCode(), c::toString);
        assertEquals(content(db, "big"), content(target, "big"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_database WHERE datname LIKE '" + target.name()
                + "\\_\\_pgsubset%'"), "no half-built or old database is left");
    }

    /**
     * --clean refreshes in one transaction: SIGKILL while the rows stream leaves the old content
     * whole (nothing was committed), the next --clean replaces it, and --jobs is refused with it.
     */
    @Test
    void cleanRefreshesInOneTransactionSoAKillLeavesTheOldContent(TestDatabase db) throws Exception {
        TestDatabase target = db.sibling("cleaned");
        killWhileBigIsLoaded(db, target, "--clean");
        assertEquals("7", target.queryValue("SELECT id FROM old_content"), "the old content survives the kill");
        assertEquals(0, target.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'big'"));

        Cli.Result refused = clone(db, target.name(), "--plan", plan().toString(), "--clean", "--jobs", "2");
        assertEquals(2, refused.exitCode(), refused::toString);
        assertTrue(refused.err().contains("one transaction"), refused::toString);

        Cli.Result c = clone(db, target.name(), "--plan", plan().toString(), "--clean", "--format", "json");
        assertEquals(0, c.exitCode(), c::toString);
        assertEquals(0, target.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'old_content'"));
        assertEquals(content(db, "big"), content(target, "big"));
        JsonNode json = ManifestIO.mapper().readTree(c.out());
        json.get("tables").forEach(t -> assertTrue(t.get("ok").asBoolean(), t::toString));
        assertEquals(db.queryLong("SELECT count(*) FROM big"), target.queryLong("SELECT count(*) FROM big"));
    }

    /**
     * Gives {@code target} an old_content table (7), then SIGKILLs a clone into it with {@code mode}
     * once big's rows stream into the target (a transform that sleeps a millisecond a row makes that
     * take seconds: pg_sleep called in the row's expression, as a subquery the server would run it
     * once and the copy would be over before it was seen).
     */
    private static void killWhileBigIsLoaded(TestDatabase db, TestDatabase target, String mode) throws Exception {
        target.execute("CREATE TABLE old_content (id int); INSERT INTO old_content VALUES (7);");
        Path slow = tmp.resolve("slow" + mode + ".yaml");
        Files.writeString(slow, """
                version: 1
                transform:
                  big:
                    pad: "pad || pg_sleep(0.001)::text"
                """);
        List<String> args = new ArrayList<>(List.of("clone"));
        args.addAll(db.connectionArgs());
        args.addAll(List.of("--target", target.conninfo(), "--plan", slow.toString(), mode, "--quiet"));
        try (CliProcess p = CliProcess.start(saltEnv(), args)) {
            String copying = "SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'COPY%big%FROM STDIN%'";
            for (int i = 0; i < 1200 && db.queryLong(copying) == 0; i++) {
                assertTrue(p.isAlive(), p::toString);
                Thread.sleep(50);
            }
            assertTrue(db.queryLong(copying) > 0, "the copy of big into the target started");
            p.kill();
        }
    }

    /** Writers keep changing users and events while a --jobs 2 clone runs: the target is one instant of the source. */
    @Test
    void concurrentWritersStillGiveAConsistentTarget(TestDatabase db) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        Thread writer = new Thread(() -> {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                while (!stop.get()) {
                    st.execute("""
                            BEGIN;
                            WITH u AS (INSERT INTO users (email, name) VALUES ('w' || clock_timestamp() || '@x', 'w')
                                       RETURNING id)
                              INSERT INTO events SELECT 100000 + id, date '2025-03-01', id, 'w' FROM u;
                            DELETE FROM events WHERE id = (SELECT max(id) FROM events WHERE id >= 100000);
                            COMMIT;""");
                    writes.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        TestDatabase target = db.absentSibling("concurrent");
        try {
            while (writes.get() < 10) {
                Thread.sleep(10);
            }
            Cli.Result c = clone(db, target.name(), "--plan", plan().toString(), "--create", "--jobs", "2");
            assertEquals(0, c.exitCode(), c::toString);
        } finally {
            stop.set(true);
            writer.join();
        }
        // post-data created every foreign key, so PostgreSQL checked them; the sample's followers are all there
        assertEquals(0, target.queryLong("SELECT count(*) FROM events e WHERE NOT EXISTS "
                + "(SELECT FROM users u WHERE u.id = e.user_id)"));
        assertEquals(1, target.queryLong("SELECT count(*) FROM pg_constraint WHERE conname = 'events_user_id_fkey'"
                + " AND conrelid = 'events'::regclass"));
    }

    @Test
    void refusesTheSourceItselfAndATargetWithoutAnInstruction(TestDatabase db) {
        Cli.Result none = clone(db, "whatever");
        assertEquals(2, none.exitCode(), none::toString);
        assertTrue(none.err().contains("--create"), none::toString);
        Cli.Result self = clone(db, db.name(), "--clean");
        assertEquals(2, self.exitCode(), self::toString);
        assertTrue(self.err().contains("own source"), self::toString);
        assertEquals(300, db.queryLong("SELECT count(*) FROM users WHERE email LIKE 'u%'"));
    }

    /** Of its two servers, a clone says which one refused: the target's failures begin with "the target:". */
    @Test
    void anUnreachableTargetIsNamedAsTheTarget(TestDatabase db) throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        List<String> args = new ArrayList<>(List.of("clone"));
        args.addAll(db.connectionArgs());
        args.addAll(List.of("--target", "host=127.0.0.1 port=" + closedPort + " dbname=x", "--create", "--quiet"));
        Cli.Result r = Cli.run(saltEnv(), args);
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("pgsubset: error: the target: could not connect to server at 127.0.0.1:"
                + closedPort), r.err());
    }

    @Test
    void createRefusesAnExistingDatabase(TestDatabase db) {
        TestDatabase target = db.sibling("existing");
        target.execute("CREATE TABLE keep_me (id int)");
        Cli.Result c = clone(db, target.name(), "--create");
        assertEquals(2, c.exitCode(), c::toString);
        assertTrue(c.err().contains("already exists"), c::toString);
        assertEquals(0, target.queryLong("SELECT count(*) FROM keep_me"));
    }

    /** A database name that does not exist yet (for --create). */
}
