package io.pgsubset.dump;

import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;
import io.pgsubset.copy.RateLimit;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workers' connections open while the leader starts: the leader's export leaves them
 * connected, a worker that joins the snapshot takes one of them (no new server process), a worker
 * beyond them opens its own, and those no worker took close with the leader.
 */
@PgTest
class WorkerConnectionsTest {
    private static final String APP = "pgsubset-workers-test";

    private static Connector connector(TestDatabase db) {
        Map<String, String> env = new HashMap<>(db.libpqEnv());
        env.put("PGAPPNAME", APP);
        return new Connector(ConnectionTarget.resolve(ConnectionOptions.none(), env));
    }

    /** The server processes of this test's sessions, once there are {@code expected} of them. */
    private static Set<Integer> sessions(TestDatabase db, int expected) throws InterruptedException {
        Set<Integer> pids = Set.of();
        for (int i = 0; i < 200; i++) {
            pids = new TreeSet<>();
            for (List<String> row : db.query("SELECT pid FROM pg_stat_activity WHERE application_name = '" + APP + "'")) {
                pids.add(Integer.parseInt(row.get(0)));
            }
            if (pids.size() == expected) {
                return pids;
            }
            Thread.sleep(50);
        }
        return pids;
    }

    private static int pid(SnapshotSession s) throws SQLException {
        try (Statement st = s.connection().createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void workersTakeTheConnectionsOpenedWithTheLeaderAndOnlyThenOpenTheirOwn(TestDatabase db) throws Exception {
        Connector connector = connector(db);
        try (SnapshotSession leader = SnapshotSession.export(Optional.empty(), connector, Optional.empty(),
                Optional.empty(), RateLimit.NONE, 2)) {
            Set<Integer> opened = sessions(db, 3);
            assertEquals(3, opened.size(), "the leader and two workers' connections: " + opened);
            db.execute("CREATE TABLE after_export (id int)");
            try (SnapshotSession first = leader.join(connector); SnapshotSession second = leader.join(connector)) {
                assertTrue(opened.contains(pid(first)) && opened.contains(pid(second)) && pid(first) != pid(second),
                        "the workers run on the connections opened in advance: " + opened);
                assertEquals(opened, sessions(db, 3), "no connection was opened for them");
                try (SnapshotSession third = leader.join(connector)) {
                    assertTrue(!opened.contains(pid(third)), "a third worker opens its own connection");
                    assertEquals(4, sessions(db, 4).size());
                    for (SnapshotSession w : List.of(first, second, third)) {
                        assertEquals(leader.snapshotId(), snapshotOf(db, w, leader),
                                "every worker reads the leader's snapshot");
                    }
                }
            }
        }
        assertEquals(Set.of(), sessions(db, 0), "every connection is closed");
        db.execute("DROP TABLE after_export");
    }

    @Test
    void theConnectionsNoWorkerTookCloseWithTheLeader(TestDatabase db) throws Exception {
        Connector connector = connector(db);
        try (SnapshotSession leader = SnapshotSession.export(Optional.empty(), connector, Optional.empty(),
                Optional.empty(), RateLimit.NONE, 2)) {
            assertEquals(3, sessions(db, 3).size());
            try (SnapshotSession worker = leader.join(connector)) {
                assertEquals(3, sessions(db, 3).size());
            }
        }
        assertEquals(Set.of(), sessions(db, 0), "the connection no worker took is closed too");
    }

    /**
     * A connection opened in advance that the server refused (the role's CONNECTION LIMIT, which
     * the leader's took) fails the worker that takes it with the message a connection opened then
     * would give, the server's reason in it; nothing stays open.
     */
    @Test
    void aRefusedConnectionFailsTheWorkerThatTakesItWithTheServersReason(TestDatabase db) throws Exception {
        db.execute("CREATE ROLE pgsubset_one_conn LOGIN CONNECTION LIMIT 1");
        try {
            Map<String, String> env = new HashMap<>(db.libpqEnv());
            env.put("PGAPPNAME", APP);
            env.put("PGUSER", "pgsubset_one_conn");
            Connector connector = new Connector(ConnectionTarget.resolve(ConnectionOptions.none(), env));
            try (SnapshotSession leader = SnapshotSession.export(Optional.empty(), connector, Optional.empty(),
                    Optional.empty(), RateLimit.NONE, 1)) {
                PgsubsetException e = assertThrows(PgsubsetException.class, () -> leader.join(connector));
                assertTrue(e.getMessage().startsWith("could not connect to ")
                        && e.getMessage().contains("too many connections for role \"pgsubset_one_conn\""), e::getMessage);
            }
            assertEquals(Set.of(), sessions(db, 0), "nothing stays open");
        } finally {
            db.execute("DROP ROLE pgsubset_one_conn");
        }
    }

    /**
     * The worker's transaction sees the leader's snapshot: a row committed after the export is
     * invisible to it. Returns the leader's snapshot id when so, else what the worker saw.
     */
    private static String snapshotOf(TestDatabase db, SnapshotSession worker, SnapshotSession leader)
            throws SQLException {
        try (Statement st = worker.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_catalog.pg_class WHERE relname = 'after_export'")) {
            rs.next();
            return rs.getLong(1) == 0 ? leader.snapshotId() : "a later snapshot";
        }
    }
}
