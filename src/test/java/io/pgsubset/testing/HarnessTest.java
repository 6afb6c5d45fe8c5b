package io.pgsubset.testing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@PgTest
class HarnessTest {
    @Test
    void standbyReplaysThePrimaryAndRefusesWrites(TestDatabase db, @Standby PgCluster standby) {
        db.execute("CREATE TABLE replicated (id int PRIMARY KEY); INSERT INTO replicated SELECT generate_series(1, 42)");
        db.cluster().awaitCaughtUp(standby);
        TestDatabase onStandby = db.on(standby);
        assertEquals(42, onStandby.queryLong("SELECT count(*) FROM replicated"));
        assertEquals("t", onStandby.queryValue("SELECT pg_catalog.pg_is_in_recovery()"));
        IllegalStateException write = assertThrows(IllegalStateException.class,
                () -> onStandby.execute("INSERT INTO replicated VALUES (43)"));
        assertTrue(write.getMessage().contains("read-only transaction"), write.getMessage());

        db.execute("DELETE FROM replicated WHERE id > 40");
        db.cluster().awaitCaughtUp(standby);
        assertEquals(40, onStandby.queryLong("SELECT count(*) FROM replicated"));
    }
}
