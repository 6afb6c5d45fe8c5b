package io.pgsubset.dump;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.catalog.Table;
import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;
import io.pgsubset.copy.LeaderOnly;
import io.pgsubset.copy.RateLimit;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader locks the dumped tables many per statement ({@link SourceSnapshot#lock}): every
 * table ends up locked across batches, and a failure still names its table, waiting for a lock
 * timeout once. A worker locks the table it needs with the next ones of the copy's order
 * ({@link SnapshotSession#lockBeforeCopy}), and alone when one of those has a request queued.
 */
@PgTest
class TableLocksTest {
    private static final List<String> NAMES = List.of("lk_a", "lk_b", "Lk C", "lk_d", "lk_e");

    @BeforeAll
    static void tables(TestDatabase db) {
        NAMES.forEach(n -> db.execute("CREATE TABLE \"" + n + "\" (id int)"));
    }

    private static List<Table> tables(Connection conn) {
        Catalog catalog = CatalogReader.read(conn, List.of("public"));
        List<Table> out = new ArrayList<>();
        for (String n : NAMES) {
            out.add(catalog.tables().stream().filter(t -> t.name().name().equals(n)).findFirst().orElseThrow());
        }
        return out;
    }

    private static Set<String> lockedByMe(Connection conn) throws Exception {
        return lockedBy(conn, "pg_backend_pid()");
    }

    private static Set<String> lockedBy(Connection conn, String pid) throws Exception {
        Set<String> out = new TreeSet<>();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                        + " WHERE l.pid = " + pid + " AND l.mode = 'AccessShareLock' AND l.granted"
                        + " AND c.relname LIKE '_k%'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void everyTableIsLockedAcrossBatches(TestDatabase db) throws Exception {
        try (Connection conn = db.connect()) {
            List<Table> tables = tables(conn);
            conn.setAutoCommit(false);
            SourceSnapshot.lock(conn, tables, 2);
            assertEquals(new TreeSet<>(NAMES), lockedByMe(conn));
            conn.rollback();
        }
    }

    @Test
    void aLockTimeoutNamesItsTableAndIsWaitedForOnce(TestDatabase db) throws Exception {
        try (Connection holder = db.connect(); Statement hs = holder.createStatement();
             Connection conn = db.connect(); Statement st = conn.createStatement()) {
            List<Table> tables = tables(conn);
            holder.setAutoCommit(false);
            hs.execute("LOCK TABLE \"Lk C\" IN ACCESS EXCLUSIVE MODE");
            conn.setAutoCommit(false);
            st.execute("SET lock_timeout = '2s'");
            long started = System.nanoTime();
            PgsubsetException e = assertThrows(PgsubsetException.class, () -> SourceSnapshot.lock(conn, tables, 10));
            long waited = System.nanoTime() - started;
            assertTrue(e.getMessage().startsWith("could not lock table public.\"Lk C\" (ACCESS SHARE): "), e.getMessage());
            assertTrue(e.getMessage().contains("lock timeout"), e.getMessage());
            // per table after the batch failed, the same table would have been waited for again
            assertTrue(waited < 3_900_000_000L, () -> "waited " + waited / 1_000_000 + " ms");
            holder.rollback();
            conn.rollback();
        }
    }

    @Test
    void anotherFailureOfTheBatchIsNamedByEachTablesOwnStatement(TestDatabase db) throws Exception {
        try (Connection conn = db.connect(); Connection other = db.connect(); Statement os = other.createStatement()) {
            List<Table> tables = tables(conn);
            os.execute("CREATE TABLE lk_gone (id int)");
            Catalog catalog = CatalogReader.read(conn, List.of("public"));
            Table gone = catalog.tables().stream().filter(t -> t.name().name().equals("lk_gone")).findFirst()
                    .orElseThrow();
            os.execute("DROP TABLE lk_gone");
            List<Table> withGone = new ArrayList<>(tables);
            withGone.add(2, gone);
            conn.setAutoCommit(false);
            PgsubsetException e = assertThrows(PgsubsetException.class,
                    () -> SourceSnapshot.lock(conn, withGone, 10));
            assertTrue(e.getMessage().startsWith("could not lock table public.lk_gone (ACCESS SHARE): "),
                    e.getMessage());
            conn.rollback();
        }
    }

    @Test
    void aWorkerLocksTheNextTablesWithTheOneItNeedsAndAloneWhenOneIsQueuedOn(TestDatabase db) throws Exception {
        Connector connector = new Connector(ConnectionTarget.resolve(ConnectionOptions.none(), db.libpqEnv()));
        SnapshotSession leader = SnapshotSession.export(Optional.empty(), connector, Optional.empty(), Optional.empty(),
                RateLimit.NONE, 0);
        try (Connection watcher = db.connect(); Connection alter = db.connect()) {
            List<Table> tables = tables(watcher);
            SourceSnapshot.lock(leader.connection(), tables, 1000);
            leader.copyOrder(tables);
            SnapshotSession worker = leader.join(connector);
            worker.lockBeforeCopy(tables.get(1));
            assertEquals(new TreeSet<>(List.of("lk_b", "Lk C", "lk_d", "lk_e")), lockedBy(watcher, pid(worker)),
                    "the table and the ones after it in the copy's order");
            worker.close();

            // a request queued on "Lk C" behind the leader's lock: a worker must not queue behind it
            alter.setAutoCommit(false);
            CompletableFuture<Void> queued = CompletableFuture.runAsync(() -> {
                try (Statement st = alter.createStatement()) {
                    st.execute("LOCK TABLE \"Lk C\" IN ACCESS EXCLUSIVE MODE");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (db.queryLong("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = "
                    + tables.get(2).oid()) == 0) {
                assertTrue(System.nanoTime() < deadline, "the ACCESS EXCLUSIVE request never queued");
                Thread.sleep(20);
            }
            SnapshotSession second = leader.join(connector);
            second.lockBeforeCopy(tables.get(1));
            assertEquals(new TreeSet<>(List.of("lk_b")), lockedBy(watcher, pid(second)),
                    "refused together: the table alone");
            assertThrows(LeaderOnly.class, () -> second.lockBeforeCopy(tables.get(2)));
            second.close();
            leader.close();
            queued.get(30, java.util.concurrent.TimeUnit.SECONDS);
            alter.rollback();
        } finally {
            leader.close();
        }
    }

    private static String pid(SnapshotSession session) throws Exception {
        try (Statement st = session.connection().createStatement(); ResultSet rs = st.executeQuery(
                "SELECT pg_backend_pid()")) {
            rs.next();
            return Integer.toString(rs.getInt(1));
        }
    }
}
