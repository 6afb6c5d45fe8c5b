package io.pgsubset.reliability;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.ForeignKeyCheck;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guarantee 2 (consistent): while {@code dump --jobs 2} runs, writers insert, update and delete
 * across parent, child and grandchild tables (each transaction keeps its own foreign keys valid).
 * The restored subset must pass every foreign key and hold exactly the manifest's row counts;
 * verify must agree. Each repetition starts the dump at a different moment of the writers' work.
 */
@PgTest
class ConcurrentWritesTest {
    private static final String PLAN = """
            version: 1
            sample:
              account:
                every: 4
            """;

    @BeforeAll
    static void fixture(TestDatabase db) {
        db.execute("""
                CREATE TABLE account (id bigserial PRIMARY KEY, name text NOT NULL);
                CREATE TABLE orders (id bigserial PRIMARY KEY,
                                     account_id bigint NOT NULL REFERENCES account ON DELETE CASCADE, note text);
                CREATE TABLE order_line (id bigserial PRIMARY KEY,
                                         order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE,
                                         account_id bigint REFERENCES account ON DELETE SET NULL, qty int);
                CREATE INDEX ON orders (account_id);
                CREATE INDEX ON order_line (order_id);
                CREATE INDEX ON order_line (account_id);
                CREATE TABLE write_log (id bigserial PRIMARY KEY);
                INSERT INTO account (name) SELECT 'account ' || g FROM generate_series(1, 20000) g;
                INSERT INTO orders (account_id, note) SELECT 1 + g % 20000, repeat('n', 50) FROM generate_series(1, 60000) g;
                INSERT INTO order_line (order_id, account_id, qty)
                    SELECT 1 + g % 60000, 1 + (g * 7) % 20000, g % 10 FROM generate_series(1, 120000) g;
                ANALYZE;
                """);
    }

    static IntStream runs() {
        return IntStream.rangeClosed(1, Boolean.getBoolean("pgsubset.long") ? 25 : 3);
    }

    @ParameterizedTest(name = "run {0}")
    @MethodSource("runs")
    void restoredSubsetPassesEveryForeignKeyUnderConcurrentWrites(int run, TestDatabase db, @TempDir Path tmp)
            throws Exception {
        Path plan = Dumps.plan(tmp, PLAN);
        Path out = tmp.resolve("dump");
        Writers writers = new Writers(db, run);
        writers.start(2);
        long committedAtEnd;
        try {
            // a different moment of the writers' work each run
            long warmUp = ThreadLocalRandom.current().nextInt(5, 100);
            while (writers.commits.get() < warmUp && writers.failure.get() == null) {
                Thread.sleep(5);
            }
            Cli.Result r = Dumps.dump(db, out, "--plan", plan.toString(), "--jobs", "2");
            committedAtEnd = db.queryLong("SELECT count(*) FROM write_log");
            assertEquals(0, r.exitCode(), r::toString);
        } finally {
            writers.stop();
        }
        assertNull(writers.failure.get(), () -> "a writer failed: " + writers.failure.get());

        Manifest manifest = Dumps.manifest(out);
        // every commit logs a row in write_log, which is dumped in full: the rows the dump lacks
        // were committed after its snapshot, while it ran
        long inSnapshot = Dumps.manifestRows(manifest).get("public.write_log");
        assertTrue(committedAtEnd - inSnapshot > 0, "no write committed between the snapshot ("
                + inSnapshot + " commits) and the end of the dump (" + committedAtEnd + ")");
        TestDatabase target = db.sibling("r" + run);
        Cli.Result restored = Dumps.restore(target, out);
        assertEquals(0, restored.exitCode(), restored::toString);
        assertEquals(List.of(), ForeignKeyCheck.violations(target));
        assertEquals(Dumps.manifestRows(manifest), counts(target, manifest));
        Cli.Result verified = Dumps.verify(target, out);
        assertEquals(0, verified.exitCode(), verified::toString);
        assertTrue(manifest.tables().stream().allMatch(t -> t.rows() > 0), () -> "every table has rows: " + manifest);
    }

    private static Map<String, Long> counts(TestDatabase target, Manifest manifest) {
        Map<String, Long> out = new LinkedHashMap<>();
        manifest.tables().forEach(t -> out.put(t.schema() + "." + t.name(),
                target.queryLong("SELECT count(*) FROM " + t.schema() + "." + t.name())));
        return out;
    }

    /** Threads that insert, move and delete rows, each transaction leaving every FK valid. */
    private static final class Writers {
        private final TestDatabase db;
        private final long seed;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong commits = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final List<Thread> threads = new ArrayList<>();

        Writers(TestDatabase db, long seed) {
            this.db = db;
            this.seed = seed;
        }

        void start(int n) {
            for (int i = 0; i < n; i++) {
                Random random = new Random(seed * 31 + i);
                Thread t = new Thread(() -> work(random), "writer-" + i);
                threads.add(t);
                t.start();
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
                if (t.isAlive()) {
                    failure.compareAndSet(null, new AssertionError(t.getName() + " did not stop within 30 s"));
                }
            }
        }

        private void work(Random random) {
            try (Connection c = db.connect()) {
                c.setAutoCommit(false);
                while (!stop.get()) {
                    try {
                        step(c, random);
                        execute(c, "INSERT INTO write_log DEFAULT VALUES");
                        c.commit();
                        commits.incrementAndGet();
                    } catch (SQLException e) {
                        c.rollback();
                        // two writers may deadlock on the same rows, or one may delete the parent the
                        // other just picked (PostgreSQL refuses that transaction: FKs stay valid);
                        // anything else is a test bug
                        if (!"40P01".equals(e.getSQLState()) && !"23503".equals(e.getSQLState())) {
                            throw e;
                        }
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }

        private static void step(Connection c, Random random) throws SQLException {
            long maxAccount = 20000 + 2000;
            switch (random.nextInt(5)) {
                case 0 -> execute(c, """
                        WITH a AS (INSERT INTO account (name) VALUES ('new') RETURNING id),
                             o AS (INSERT INTO orders (account_id, note) SELECT id, 'new' FROM a, generate_series(1, 3)
                                   RETURNING id, account_id)
                        INSERT INTO order_line (order_id, account_id, qty) SELECT id, account_id, 1 FROM o
                        """);
                case 1 -> execute(c, "DELETE FROM account WHERE id = ?", 1 + random.nextInt((int) maxAccount));
                case 2 -> execute(c, """
                        UPDATE orders SET account_id = (SELECT id FROM account WHERE id >= ? ORDER BY id LIMIT 1)
                         WHERE id = ? AND EXISTS (SELECT 1 FROM account WHERE id >= ?)
                        """, 1 + random.nextInt(20000), 1 + random.nextInt(60000), 1 + random.nextInt(20000));
                case 3 -> {
                    long order = 1 + random.nextInt(60000);
                    long line = 1 + random.nextInt(120000);
                    execute(c, """
                            UPDATE order_line SET order_id = (SELECT id FROM orders WHERE id >= ? ORDER BY id LIMIT 1)
                             WHERE id BETWEEN ? AND ? + 20 AND EXISTS (SELECT 1 FROM orders WHERE id >= ?)
                            """, order, line, line, order);
                }
                default -> execute(c, "UPDATE account SET name = name || '+' WHERE id = ?",
                        1 + random.nextInt(20000));
            }
        }

        private static void execute(Connection c, String sql, long... params) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setLong(i + 1, params[i]);
                }
                ps.execute();
            }
        }
    }
}
