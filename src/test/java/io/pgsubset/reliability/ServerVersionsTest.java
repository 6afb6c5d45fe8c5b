package io.pgsubset.reliability;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import io.pgsubset.testing.ZonkyBinaries;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL servers of other major versions as restore targets: a dump of the installed server
 * (the fidelity fixture, a foreign-key chain sampled by a plan, names with quotes, newlines and
 * {@code $(...)}, a value that is only {@code \.}) is loaded by restore.sh (plain and gzip) and by
 * pgsubset restore, and each result verifies and equals the source row for row. The default suite
 * does it for the newest server (18, whose COPY no longer takes {@code \.} as the end of CSV data,
 * which psql before 18 sends after inline data); {@code -Dpgsubset.long=true} for every version
 * from 12. The client programs are the installed ones (psql 15) throughout.
 */
@PgTest
class ServerVersionsTest {
    static final String CHAIN = """
            CREATE TABLE customer (id serial PRIMARY KEY, name text);
            CREATE TABLE invoice (id serial PRIMARY KEY, customer_id int REFERENCES customer, total numeric);
            CREATE TABLE line (invoice_id int REFERENCES invoice, n int, PRIMARY KEY (invoice_id, n));
            INSERT INTO customer (name) SELECT 'c' || g FROM generate_series(1, 300) g;
            INSERT INTO invoice (customer_id, total) SELECT 1 + g % 300, g FROM generate_series(1, 1000) g;
            INSERT INTO line SELECT i, n FROM generate_series(1, 1000) i, generate_series(1, 2) n;
            """;
    static final String PLAN = """
            version: 1
            sample:
              invoice:
                every: 5
            """;
    private static final String HOSTILE = """
            CREATE SCHEMA "new
            line $(touch /tmp/pgsubset-pwned)";
            CREATE TABLE "new
            line $(touch /tmp/pgsubset-pwned)"."it's ""x"" t" (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              "col
            with newline" text, "back\\slash" text);
            INSERT INTO "new
            line $(touch /tmp/pgsubset-pwned)"."it's ""x"" t" ("col
            with newline", "back\\slash") VALUES ('a', '\\.'), (E'two\\nlines', E'\\\\.\\n'), (NULL, '');
            """;

    private static Path plain;
    private static Path gzip;
    private static Manifest manifest;

    @BeforeAll
    static void dumps(TestDatabase db, @TempDir Path tmp) {
        db.execute(FidelityTest.fixtureSql());
        db.execute(CHAIN);
        db.execute(HOSTILE);
        Path plan = Dumps.plan(tmp, PLAN);
        plain = tmp.resolve("plain");
        gzip = tmp.resolve("gzip");
        manifest = Dumps.dumpOk(db, plain, "--plan", plan.toString());
        Dumps.dumpOk(db, gzip, "--plan", plan.toString(), "--compress");
        assertEquals(200L, Dumps.manifestRows(manifest).get("public.invoice"));
    }

    @Test
    void restoresIntoTheNewestServerByBothPathsAndVerifies(TestDatabase db) {
        restoresInto(ZonkyBinaries.sharedCluster(ZonkyBinaries.NEWEST), ZonkyBinaries.NEWEST, db);
    }

    /**
     * The newest server as a source, for what needs no pg_dump of its version: its virtual
     * generated columns are generated ones (never dumped, no transform), sizes and plan explain
     * --counts follow the plan, and a dump with the installed older pg_dump is refused naming both
     * versions. With {@code -Dpgsubset.long=true} also 16 and 17 (stored generated columns only).
     */
    @Test
    void newestServerAsASourceForEverythingButTheDump(@TempDir Path tmp) {
        asSource(ZonkyBinaries.sharedCluster(ZonkyBinaries.NEWEST), ZonkyBinaries.NEWEST, tmp);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {16, 17})
    @EnabledIfSystemProperty(named = "pgsubset.long", matches = "true")
    void newerServersAsASourceForEverythingButTheDump(int major, @TempDir Path tmp) {
        try (PgCluster server = ZonkyBinaries.start(major)) {
            asSource(server, major, tmp);
        }
    }

    private static void asSource(PgCluster server, int major, Path tmp) {
        TestDatabase source = TestDatabase.create(server, "source");
        String twice = major >= 18 ? "twice int GENERATED ALWAYS AS (a * 2) VIRTUAL, " : "";
        source.execute(CHAIN + """
                CREATE TABLE gen (id int PRIMARY KEY, invoice_id int NOT NULL REFERENCES invoice, a int NOT NULL,
                  %sthrice int GENERATED ALWAYS AS (a * 3) STORED);
                INSERT INTO gen (id, invoice_id, a) SELECT g, g, g FROM generate_series(1, 1000) g;
                ANALYZE;
                """.formatted(twice));
        try (java.sql.Connection c = source.connect()) {
            io.pgsubset.catalog.Catalog catalog = io.pgsubset.catalog.CatalogReader.read(c);
            assertEquals(List.of("id", "invoice_id", "a"), catalog.require(
                    new io.pgsubset.catalog.QualifiedName("public", "gen")).dumpedColumnNames());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        Cli.Result sizes = Cli.against(source, "sizes");
        assertEquals(0, sizes.exitCode(), sizes::toString);
        assertTrue(sizes.out().contains("gen") && sizes.out().contains("invoice"), sizes::toString);
        Path plan = Dumps.plan(tmp, PLAN);
        Cli.Result counts = Cli.against(source, "plan explain", "--plan", plan.toString(), "--counts");
        assertEquals(0, counts.exitCode(), counts::toString);
        assertTrue(counts.out().matches("(?s).*public\\.gen +follow +200 .*"), counts.out());
        assertTrue(counts.out().matches("(?s).*public\\.line +follow +400 .*"), counts.out());

        String generated = major >= 18 ? "twice" : "thrice";
        Path transform = Dumps.plan(tmp, PLAN + "transform:\n  gen: {" + generated + ": {constant: 1}}\n");
        Cli.Result refused = Cli.against(source, "plan check", "--plan", transform.toString());
        assertEquals(2, refused.exitCode(), refused::toString);
        assertTrue((refused.out() + refused.err()).matches("(?s).*column " + generated + " of (public\\.)?gen is generated: it is never dumped.*"),
                refused::toString);

        Cli.Result dump = Dumps.dump(source, tmp.resolve("dump"), "--plan", plan.toString());
        Dumps.assertOneClearError(dump, 1);
        assertTrue(dump.err().contains("is older than the server"), dump::toString);
    }

    /**
     * PostgreSQL 18's temporal foreign keys (PERIOD): a child row has its parent when the parent
     * rows of equal leading columns together cover its period, which verify checks as such.
     */
    @Test
    void verifyChecksTemporalForeignKeysByTheirPeriodsOnTheNewestServer() {
        TestDatabase target = TestDatabase.create(ZonkyBinaries.sharedCluster(ZonkyBinaries.NEWEST), "temporal");
        Cli.Result restored = Dumps.restore(target, plain);
        assertEquals(0, restored.exitCode(), restored::toString);
        target.execute("""
                CREATE EXTENSION btree_gist;
                CREATE TABLE room (id int, valid_at daterange, PRIMARY KEY (id, valid_at WITHOUT OVERLAPS));
                CREATE TABLE booking (id int PRIMARY KEY, room_id int, valid_at daterange,
                  FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES room (id, PERIOD valid_at));
                INSERT INTO room VALUES (1, '[2024-01-01,2024-06-01)'), (1, '[2024-06-01,2025-01-01)');
                INSERT INTO booking VALUES (1, 1, '[2024-05-01,2024-07-01)');
                """);
        Cli.Result covered = Dumps.verify(target, plain);
        assertEquals(0, covered.exitCode(), covered::toString);

        target.execute("""
                ALTER TABLE booking DROP CONSTRAINT booking_room_id_valid_at_fkey;
                INSERT INTO booking VALUES (2, 1, '[2024-12-01,2025-02-01)');
                ALTER TABLE booking ADD FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES room (id, PERIOD valid_at)
                  NOT VALID;
                """);
        Cli.Result uncovered = Dumps.verify(target, plain);
        assertEquals(1, uncovered.exitCode(), uncovered::toString);
        assertTrue(uncovered.out().contains("1 rows reference no row of public.room"), uncovered::toString);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {12, 13, 14, 16, 17})
    @EnabledIfSystemProperty(named = "pgsubset.long", matches = "true")
    void restoresIntoEveryServerByBothPathsAndVerifies(int major, TestDatabase db) {
        PgCluster server = ZonkyBinaries.start(major);
        try {
            restoresInto(server, major, db);
        } finally {
            server.close();
        }
    }

    private static void restoresInto(PgCluster server, int major, TestDatabase source) {
        TestDatabase probe = TestDatabase.create(server, "versions_probe");
        assertTrue(probe.queryValue("SHOW server_version").startsWith(major + "."), probe.queryValue("SHOW server_version"));
        Path pwned = Path.of("/tmp/pgsubset-pwned");
        for (Path dump : List.of(plain, gzip)) {
            TestDatabase target = TestDatabase.create(server, "sh_" + dump.getFileName());
            Cli.Result r = Dumps.restoreSh(dump, target);
            assertEquals(0, r.exitCode(), r::toString);
            assertFalse(java.nio.file.Files.exists(pwned), "a file name reached a shell unquoted");
            assertRestored(source, target, dump);
        }
        TestDatabase target = TestDatabase.create(server, "java");
        Cli.Result r = Dumps.restore(target, plain, "--jobs", "2");
        assertEquals(0, r.exitCode(), r::toString);
        assertRestored(source, target, plain);
    }

    private static void assertRestored(TestDatabase source, TestDatabase target, Path dump) {
        Cli.Result verified = Dumps.verify(target, dump);
        assertEquals(0, verified.exitCode(), verified::toString);
        for (Manifest.TableEntry t : manifest.tables()) {
            String table = io.pgsubset.sql.Ident.quote(t.schema()) + "." + io.pgsubset.sql.Ident.quote(t.name());
            if (t.name().equals("invoice") || t.name().equals("line")) {
                continue;
            }
            assertEquals(io.pgsubset.testing.DbState.rows(source, table), io.pgsubset.testing.DbState.rows(target, table),
                    table);
        }
        assertEquals(200, target.queryLong("SELECT count(*) FROM invoice"));
        assertEquals(400, target.queryLong("SELECT count(*) FROM line"));
    }
}
