package io.pgsubset.dump;

import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;
import io.pgsubset.clone.CloneRequest;
import io.pgsubset.clone.CloneResult;
import io.pgsubset.clone.Cloner;
import io.pgsubset.restore.RestoreListener;
import io.pgsubset.transform.TransformKey;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import io.pgsubset.tools.PgPrograms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pg_dump's lock discipline for {@code dump --jobs}: a migration's ALTER TABLE queued behind the
 * dump's locks must never stall it (a worker's lock would queue behind the ALTER while the leader
 * waits for the worker), and a worker that dies of an Error fails the dump cleanly.
 */
@PgTest
class LockQueueTest {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE big (id int PRIMARY KEY, pad text);
                CREATE TABLE mid (id int PRIMARY KEY, pad text);
                CREATE TABLE "Auth User" (id int PRIMARY KEY, name text);
                INSERT INTO big SELECT g, repeat('b', 200) FROM generate_series(1, 20000) g;
                INSERT INTO mid SELECT g, repeat('m', 100) FROM generate_series(1, 5000) g;
                INSERT INTO "Auth User" SELECT g, 'u' || g FROM generate_series(1, 50) g;
                """);
        // more tables, each bigger than "Auth User", than a worker locks at once (SnapshotSession.LOCK_AHEAD),
        // so that the workers' first locks do not reach "Auth User" before the ALTER queues on it
        for (int i = 0; i < 2 * SnapshotSession.LOCK_AHEAD; i++) {
            db.execute("CREATE TABLE filler_" + i + " (id int PRIMARY KEY, pad text);"
                    + " INSERT INTO filler_" + i + " SELECT g, repeat('f', 40) FROM generate_series(1, 200) g");
        }
        db.execute("ANALYZE");
    }

    private static Dumper dumper(TestDatabase db, DumpListener listener) {
        ConnectionTarget server = ConnectionTarget.resolve(ConnectionOptions.none(), db.libpqEnv());
        return new Dumper(SourceConnection.of(new Connector(server)), new PgPrograms(System.getenv()), Optional.empty(),
                listener);
    }

    private static DumpRequest request(Path out) {
        return DumpRequest.of(PlanSource.everyTableFull(), PlanSource.EVERY_TABLE_FULL_YAML, out).withJobs(2)
                .withPartBytes(0);
    }

    /**
     * Both workers start on the two bigger tables and hold there until an ALTER TABLE on the
     * smallest one is queued behind the leader's lock; the worker that takes it next finds the
     * queue. The dump still ends within seconds, complete, with the table copied by the leader.
     */
    @Test
    void anAlterQueuedBehindTheDumpDoesNotStallJobs(TestDatabase db) throws Exception {
        Path out = tmp.resolve("alter");
        List<String> steps = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> alterPid = new CompletableFuture<>();
        CompletableFuture<Void> alter = new CompletableFuture<>();
        DumpListener listener = alterOnTheFirstBigTable(db, steps, alterPid, alter, true);
        DumpResult result = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> dumper(db, listener).run(request(out)));
        Manifest.TableEntry user = DumpCommandTest.entry(result.manifest(), "Auth User");
        assertEquals(50, user.rows());
        assertEquals(51, Files.readAllLines(out.resolve(user.file())).size());
        int pid = alterPid.get();
        assertTrue(steps.stream().anyMatch(s -> s.contains("\"Auth User\"") && s.contains("session " + pid)
                        && s.contains("AccessExclusiveLock") && s.contains("leader")),
                () -> "a step names the table, the queued session and its lock: " + steps);
        // the dump's locks are gone, so the migration went through
        alter.get();
        assertEquals("1", db.queryValue("SELECT count(*) FROM pg_attribute WHERE attrelid = '\"Auth User\"'::regclass"
                + " AND attname = 'added'"));
        db.execute("ALTER TABLE \"Auth User\" DROP COLUMN added");
    }

    /**
     * The same for {@code clone --jobs 2}: the workers' source sessions take the same NOWAIT locks,
     * so the ALTER queued behind the leader's lock sends the table to the leader's pair; the clone
     * ends within seconds with every row in the target, and the migration goes through after it.
     */
    @Test
    void anAlterQueuedBehindACloneDoesNotStallJobs(TestDatabase db) throws Exception {
        TestDatabase target = db.absentSibling("alterclone");
        List<String> steps = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> alterPid = new CompletableFuture<>();
        CompletableFuture<Void> alter = new CompletableFuture<>();
        DumpListener listener = alterOnTheFirstBigTable(db, steps, alterPid, alter, false);
        ConnectionTarget source = ConnectionTarget.resolve(ConnectionOptions.none(), db.libpqEnv());
        ConnectionTarget into = ConnectionTarget.resolve(ConnectionOptions.none(), target.libpqEnv());
        SourceSnapshot.Options options = new SourceSnapshot.Options(PlanSource.everyTableFull(),
                java.util.OptionalLong.empty(), Optional.empty(), false, TransformKey.random(), 0,
                SourceLimits.none());
        CloneRequest request = new CloneRequest(options, 2, true, Optional.empty(), false, Optional.empty(), false,
                false, "postgres", "test");
        CloneResult result = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> new Cloner(
                SourceConnection.of(new Connector(source)),
                into, new PgPrograms(System.getenv()), Optional.empty(), Optional.empty(), System.getenv(), listener,
                RestoreListener.QUIET).run(request));
        assertTrue(result.tables().stream().allMatch(CopiedTable::matches), result::toString);
        assertEquals(50, target.queryLong("SELECT count(*) FROM \"Auth User\""));
        assertEquals(20000, target.queryLong("SELECT count(*) FROM big"));
        int pid = alterPid.get();
        assertTrue(steps.stream().anyMatch(s -> s.contains("\"Auth User\"") && s.contains("session " + pid)
                        && s.contains("AccessExclusiveLock") && s.contains("leader")),
                () -> "a step names the table, the queued session and its lock: " + steps);
        alter.get();
        db.execute("ALTER TABLE \"Auth User\" DROP COLUMN added");
    }

    /** Starts the ALTER on "Auth User" when a bigger table starts copying; records the steps. */
    private static DumpListener alterOnTheFirstBigTable(TestDatabase db, List<String> steps,
                                                        CompletableFuture<Integer> alterPid,
                                                        CompletableFuture<Void> alter, boolean schemaFirst) {
        return new DumpListener() {
            @Override
            public void tableStarted(QualifiedName table, long expectedRows) {
                if (!table.name().equals("Auth User")) {
                    startAlterAndAwaitQueued(db, alterPid, alter, schemaFirst);
                }
            }

            @Override
            public void step(String message) {
                steps.add(message);
            }
        };
    }

    /**
     * Runs the ALTER once, in its own thread, and returns when it waits for its lock.
     *
     * @param schemaFirst wait for a dump's pg_dump to finish first (a clone's has, before its data starts)
     */
    private static synchronized void startAlterAndAwaitQueued(TestDatabase db, CompletableFuture<Integer> pid,
                                                             CompletableFuture<Void> done, boolean schemaFirst) {
        if (!pid.isDone()) {
            if (schemaFirst) {
                awaitSchemaDumped();
            }
            Thread t = new Thread(() -> {
                try (Connection c = db.connect(); Statement st = c.createStatement()) {
                    try (var rs = st.executeQuery("SELECT pg_backend_pid()")) {
                        rs.next();
                        pid.complete(rs.getInt(1));
                    }
                    st.execute("ALTER TABLE \"Auth User\" ADD COLUMN added int");
                    done.complete(null);
                } catch (SQLException e) {
                    pid.completeExceptionally(e);
                    done.completeExceptionally(e);
                }
            });
            t.setDaemon(true);
            t.start();
        }
        try {
            int p = pid.get();
            for (int i = 0; i < 200; i++) {
                if (db.queryLong("SELECT count(*) FROM pg_locks WHERE pid = " + p + " AND NOT granted") > 0) {
                    return;
                }
                Thread.sleep(50);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("the ALTER TABLE never queued");
    }

    /**
     * pg_dump (for the schema) takes its own locks at its start; an ALTER queued before that would
     * stop it instead (after its lock timeout, with its own message). This test is about the
     * workers, so the ALTER comes once pg_dump is done: pg_restore has started writing the sections.
     */
    private static void awaitSchemaDumped() {
        try {
            for (int i = 0; i < 600; i++) {
                try (var dirs = Files.list(tmp)) {
                    if (dirs.anyMatch(d -> d.getFileName().toString().contains(".pgsubset-partial")
                            && Files.exists(d.resolve(SchemaDump.PRE_DATA)))) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("pg_dump did not finish in 30 s");
    }

    @Test
    void aWorkerThatDiesOfAnErrorFailsTheDumpCleanly(TestDatabase db) {
        Path out = tmp.resolve("error");
        DumpListener listener = new DumpListener() {
            @Override
            public void tableStarted(QualifiedName table, long expectedRows) {
                if (table.name().equals("mid")) {
                    throw new AssertionError("injected failure");
                }
            }
        };
        PgsubsetException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> assertThrows(PgsubsetException.class, () -> dumper(db, listener).run(request(out))));
        assertTrue(e.getMessage().contains("AssertionError") && e.getMessage().contains("injected failure"),
                e::getMessage);
        assertTrue(e.getCause() instanceof AssertionError, "the Error is the cause");
        assertFalse(Files.exists(out), "no dump directory is left");
        try (var left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().contains(".pgsubset-partial")),
                    "no partial directory is left");
        } catch (java.io.IOException io) {
            throw new java.io.UncheckedIOException(io);
        }
    }
}
