package io.pgsubset.dump;

import io.pgsubset.error.UsageException;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The source's first steps, taken while the command starts (see {@link SnapshotAhead}). */
@PgTest
class SnapshotAheadTest {
    @BeforeAll
    static void tables(TestDatabase db) {
        db.execute("CREATE TABLE ahead_t (id int PRIMARY KEY)");
    }

    @Test
    void theSessionIsTheLeadersWithTheStatementTimeoutAndItsSnapshotIsExported(TestDatabase db) throws Exception {
        SnapshotAhead ahead = SnapshotAhead.begin(db.connect(), Optional.of("1234ms"));
        Connection conn = ahead.begun().conn();
        try {
            assertEquals("1234ms", value(conn, "SHOW statement_timeout"));
            assertEquals("repeatable read", value(conn, "SHOW transaction_isolation"));
            assertEquals("on", value(conn, "SHOW transaction_read_only"));
            assertTrue(ahead.begun().timed());
            assertTrue(ahead.catalog().tables().stream().anyMatch(t -> t.name().name().equals("ahead_t")));
            // another session imports the snapshot, as the workers and pg_dump do
            try (Connection worker = db.connect(); Statement st = worker.createStatement()) {
                worker.setAutoCommit(false);
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                st.execute("SET TRANSACTION SNAPSHOT '" + ahead.begun().snapshotId() + "'");
                worker.rollback();
            }
            assertTrue(ahead.claim());
            assertFalse(ahead.claim(), "one owner");
        } finally {
            conn.close();
        }
    }

    @Test
    void anUnclaimedStartIsEndedAndAFailedOneClosesItsConnection(TestDatabase db) throws Exception {
        SnapshotAhead ahead = SnapshotAhead.begin(db.connect(), Optional.empty());
        assertFalse(ahead.begun().timed());
        ahead.discard();
        assertTrue(ahead.begun().conn().isClosed());
        assertFalse(ahead.claim(), "a discarded start is nobody's");

        Connection refused = db.connect();
        UsageException e = assertThrows(UsageException.class, () -> SnapshotAhead.begin(refused, Optional.of("soon")));
        assertTrue(e.getMessage().startsWith("invalid --statement-timeout \"soon\""), e.getMessage());
        assertTrue(refused.isClosed());
    }

    private static String value(Connection conn, String sql) throws Exception {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
