package io.pgsubset.reliability;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.DbState;
import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.Standby;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guarantee 1 (read only): a dump never writes to its source. It works on a streaming hot standby
 * (every transaction read only) and gives there what it gives on the quiet primary; it works as a
 * role that may only connect and SELECT (no CREATE, no TEMP, default_transaction_read_only on);
 * and the source's objects and rows are the same after every dump.
 */
@PgTest
class ReadOnlySourceTest {
    private static final String READER = "pgsubset_ro_reader";
    private static final String PLAN = """
            version: 1
            sample:
              invoice:
                every: 3
            """;

    @BeforeAll
    static void fixture(TestDatabase db) {
        db.execute("""
                CREATE TABLE country (code text PRIMARY KEY, name text);
                CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL, country text REFERENCES country);
                CREATE TABLE invoice (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customer,
                                      amount numeric(10, 2), tags text[], issued timestamptz);
                CREATE TABLE invoice_item (invoice_id bigint REFERENCES invoice, n int, what jsonb,
                                           PRIMARY KEY (invoice_id, n));
                CREATE TABLE audit_log (id bigserial PRIMARY KEY, message text);
                INSERT INTO country VALUES ('DE', 'Germany'), ('FR', 'France'), ('JP', 'Japan');
                INSERT INTO customer (name, country)
                    SELECT 'c' || g, (ARRAY['DE', 'FR', 'JP', NULL])[1 + g % 4] FROM generate_series(1, 500) g;
                INSERT INTO invoice (customer_id, amount, tags, issued)
                    SELECT 1 + g % 500, g * 1.25, ARRAY['t' || g % 7, 'x,y'], '2024-01-01'::timestamptz + g * interval '1 hour'
                    FROM generate_series(1, 3000) g;
                INSERT INTO invoice_item SELECT i, n, jsonb_build_object('n', n) FROM generate_series(1, 3000) i,
                    generate_series(1, 3) n;
                INSERT INTO audit_log (message) SELECT 'm' || g FROM generate_series(1, 200) g;
                REVOKE TEMPORARY ON DATABASE "@DB@" FROM PUBLIC;
                REVOKE CREATE ON SCHEMA public FROM PUBLIC;
                DROP ROLE IF EXISTS @READER@;
                CREATE ROLE @READER@ LOGIN;
                ALTER ROLE @READER@ SET default_transaction_read_only = on;
                GRANT CONNECT ON DATABASE "@DB@" TO @READER@;
                GRANT USAGE ON SCHEMA public TO @READER@;
                GRANT SELECT ON ALL TABLES IN SCHEMA public TO @READER@;
                GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO @READER@;
                """.replace("@DB@", db.name()).replace("@READER@", READER));
    }

    @Test
    void dumpFromHotStandbyEqualsDumpOfQuietPrimary(TestDatabase db, @Standby PgCluster standby,
                                                    @TempDir Path tmp) {
        Path plan = Dumps.plan(tmp, PLAN);
        DbState before = DbState.of(db);
        Manifest primary = Dumps.dumpOk(db, tmp.resolve("primary"), "--plan", plan.toString());
        assertEquals(before, DbState.of(db), "the primary changed during its dump");

        db.cluster().awaitCaughtUp(standby);
        TestDatabase replica = db.on(standby);
        DbState replicaBefore = DbState.of(replica);
        Manifest fromStandby = Dumps.dumpOk(replica, tmp.resolve("standby"), "--plan", plan.toString(),
                "--jobs", "2");
        assertEquals(replicaBefore, DbState.of(replica));

        assertEquals(Dumps.manifestContent(primary), Dumps.manifestContent(fromStandby));
        // a standby that replayed the sequences' WAL (rather than copied their pages in its base backup) sees
        // each one where the primary logged it, up to 32 values ahead: never behind, which is what a restore needs
        assertEquals(primary.sequences().size(), fromStandby.sequences().size());
        for (int i = 0; i < primary.sequences().size(); i++) {
            Manifest.SequenceEntry p = primary.sequences().get(i);
            Manifest.SequenceEntry s = fromStandby.sequences().get(i);
            assertEquals(p.name(), s.name());
            assertTrue(s.lastValue() >= p.lastValue() && s.lastValue() <= p.lastValue() + 32, s + " vs " + p);
        }
        assertTrue(primary.tables().stream().anyMatch(t -> t.name().equals("invoice") && t.rows() == 1000),
                () -> "every 3rd of 3000 invoices: " + primary.tables());
    }

    @Test
    void roleThatMayOnlyConnectAndSelectCanDump(TestDatabase db, @TempDir Path tmp) {
        Path plan = Dumps.plan(tmp, PLAN);
        Manifest asSuperuser = Dumps.dumpOk(db, tmp.resolve("superuser"), "--plan", plan.toString());
        DbState before = DbState.of(db);

        List<String> args = new ArrayList<>(List.of("dump", "-h", db.cluster().host(), "-p",
                Integer.toString(db.cluster().port()), "-U", READER, "-d", db.name(), "-o",
                tmp.resolve("reader").toString(), "--plan", plan.toString(), "--jobs", "2"));
        Cli.Result r = Cli.run(Map.of(), args);
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(before, DbState.of(db), "the source changed during the dump");
        Manifest asReader = Dumps.manifest(tmp.resolve("reader"));
        assertEquals(Dumps.manifestContent(asSuperuser), Dumps.manifestContent(asReader));
        assertEquals(asSuperuser.sequences(), asReader.sequences());
        assertFalse(asReader.tables().isEmpty());
    }

    @Test
    void readerRoleReallyCannotWrite(TestDatabase db) {
        // guards the test above: if the role could write, its success would prove nothing
        String sql = "SET ROLE " + READER + "; RESET default_transaction_read_only; ";
        for (String write : List.of("CREATE TEMP TABLE x (i int)", "CREATE TABLE public.x (i int)",
                "INSERT INTO audit_log (message) VALUES ('x')", "SELECT nextval('audit_log_id_seq')")) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> db.execute(sql + write));
            assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
        }
    }
}
