package io.pgsubset.dump;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.catalog.Table;
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
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader locks the dumped tables many per statement ({@link SourceSnapshot#lock}): every
 * table ends up locked across batches, and a failure still names its table, waiting for a lock
 * timeout once.
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
        Set<String> out = new TreeSet<>();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                        + " WHERE l.pid = pg_backend_pid() AND l.mode = 'AccessShareLock' AND l.granted"
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
}
