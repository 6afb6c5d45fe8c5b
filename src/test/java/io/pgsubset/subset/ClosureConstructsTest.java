package io.pgsubset.subset;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.plan.ResolvedPlan;
import io.pgsubset.plan.SampleRate;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each construct of SPEC's subset semantics on a small hand-made fixture, with exact expected rows. */
@PgTest
class ClosureConstructsTest {
    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE SCHEMA cyc;
                CREATE TABLE cyc.dept (id int PRIMARY KEY);
                CREATE TABLE cyc.emp (id int PRIMARY KEY, dept_id int NOT NULL CONSTRAINT emp_dept REFERENCES cyc.dept,
                                      boss_id int CONSTRAINT emp_boss REFERENCES cyc.emp);
                INSERT INTO cyc.dept VALUES (1), (2);
                INSERT INTO cyc.emp VALUES (1, 1, NULL), (2, 2, 1), (3, 2, 2), (4, 2, NULL), (5, 2, 4), (6, 2, 6);
                CREATE TABLE cyc.store (id int PRIMARY KEY, manager_id int);
                CREATE TABLE cyc.staff (id int PRIMARY KEY, store_id int NOT NULL REFERENCES cyc.store);
                ALTER TABLE cyc.store ADD FOREIGN KEY (manager_id) REFERENCES cyc.staff DEFERRABLE INITIALLY DEFERRED;
                BEGIN;
                INSERT INTO cyc.store VALUES (1, 10), (2, 20), (3, NULL);
                INSERT INTO cyc.staff VALUES (10, 1), (11, 1), (20, 2), (21, 2), (30, 3);
                COMMIT;

                CREATE SCHEMA comp;
                CREATE TABLE comp.orders (region text, no int, code text NOT NULL UNIQUE, PRIMARY KEY (region, no));
                CREATE TABLE comp.line (id int PRIMARY KEY, region text, order_no int,
                                        FOREIGN KEY (region, order_no) REFERENCES comp.orders);
                CREATE TABLE comp.tag (id int PRIMARY KEY, order_code text REFERENCES comp.orders (code));
                INSERT INTO comp.orders VALUES ('eu', 1, 'A'), ('eu', 2, 'B'), ('us', 1, 'C'), ('us, "q"\\', 1, 'D''x');
                INSERT INTO comp.line VALUES (1, 'eu', 1), (2, 'eu', 2), (3, 'us', 1), (4, 'us', 1), (5, NULL, 1),
                                             (6, 'us, "q"\\', 1);
                INSERT INTO comp.tag VALUES (1, 'A'), (2, 'C'), (3, 'D''x'), (4, NULL);

                CREATE SCHEMA nokey;
                CREATE TABLE nokey.parent (id int PRIMARY KEY);
                CREATE TABLE nokey.log (parent_id int REFERENCES nokey.parent, msg text);
                INSERT INTO nokey.parent VALUES (1), (2), (3);
                INSERT INTO nokey.log VALUES (1, 'a'), (2, 'c'), (1, 'b'), (3, 'd'), (1, 'a');

                CREATE SCHEMA part;
                CREATE TABLE part.customer (id int PRIMARY KEY);
                CREATE TABLE part.vip (id int PRIMARY KEY);
                CREATE TABLE part.event (id int, at date NOT NULL, customer_id int REFERENCES part.customer,
                                         PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
                CREATE TABLE part.event_2024 PARTITION OF part.event FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                CREATE TABLE part.event_2025 PARTITION OF part.event FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
                ALTER TABLE part.event_2025 ADD CONSTRAINT event_2025_vip FOREIGN KEY (customer_id) REFERENCES part.vip;
                CREATE TABLE part.event_note (id int PRIMARY KEY, event_id int, event_at date,
                                              FOREIGN KEY (event_id, event_at) REFERENCES part.event);
                CREATE TABLE part.archive_ref (id int PRIMARY KEY, event_id int, event_at date,
                                               FOREIGN KEY (event_id, event_at) REFERENCES part.event_2024 (id, at));
                CREATE TABLE part.raw (customer_id int REFERENCES part.customer, v text) PARTITION BY LIST (v);
                CREATE TABLE part.raw_a PARTITION OF part.raw FOR VALUES IN ('a');
                CREATE TABLE part.raw_b PARTITION OF part.raw FOR VALUES IN ('b');
                INSERT INTO part.customer SELECT generate_series(1, 4);
                INSERT INTO part.vip SELECT generate_series(1, 4);
                INSERT INTO part.event VALUES (1, '2024-03-01', 1), (2, '2025-03-01', 1), (3, '2024-05-01', 2),
                                              (4, '2025-05-01', 3), (5, '2025-06-01', 4);
                INSERT INTO part.event_note VALUES (1, 2, '2025-03-01'), (2, 4, '2025-05-01'), (3, 1, '2024-03-01');
                INSERT INTO part.archive_ref VALUES (1, 1, '2024-03-01'), (2, 3, '2024-05-01');
                INSERT INTO part.raw VALUES (1, 'a'), (1, 'b'), (2, 'a'), (3, 'b');

                CREATE SCHEMA inh;
                CREATE TABLE inh.city (id int PRIMARY KEY, name text);
                CREATE TABLE inh.capital (country text) INHERITS (inh.city);
                CREATE TABLE inh.visit (id int PRIMARY KEY, city_id int REFERENCES inh.city);
                INSERT INTO inh.city VALUES (1, 'a'), (2, 'b');
                INSERT INTO inh.capital VALUES (3, 'c', 'x');
                INSERT INTO inh.visit VALUES (1, 1), (2, 2);

                CREATE SCHEMA ext;
                CREATE EXTENSION citext SCHEMA ext;
                CREATE TABLE ext.ext_data (id int PRIMARY KEY);
                CREATE TABLE ext.ext_conf (id int PRIMARY KEY);
                INSERT INTO ext.ext_data SELECT generate_series(1, 3);
                INSERT INTO ext.ext_conf SELECT generate_series(1, 5);
                ALTER EXTENSION citext ADD TABLE ext.ext_data;
                ALTER EXTENSION citext ADD TABLE ext.ext_conf;
                UPDATE pg_catalog.pg_extension SET extconfig = ARRAY['ext.ext_conf'::regclass::oid],
                       extcondition = ARRAY['WHERE id > 3'] WHERE extname = 'citext';
                CREATE TABLE ext.user_row (id int PRIMARY KEY, data_id int REFERENCES ext.ext_data,
                                           conf_id int REFERENCES ext.ext_conf);
                INSERT INTO ext.user_row VALUES (1, 1, 1), (2, 2, 5);

                CREATE SCHEMA nv;
                CREATE TABLE nv.parent (id int PRIMARY KEY);
                CREATE TABLE nv.child (id int PRIMARY KEY, parent_id int);
                INSERT INTO nv.parent VALUES (1), (2);
                INSERT INTO nv.child VALUES (1, 1), (2, 99), (3, 2);
                ALTER TABLE nv.child ADD CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES nv.parent NOT VALID;
                ANALYZE;
                """);
    }

    private static TreeSet<String> set(String... values) {
        return new TreeSet<>(List.of(values));
    }

    private static Plans sampleWhere(Plans p, String table, String where) {
        return p.sample(table, new SampleRate.Every(1), List.of(), null, where);
    }

    @Test
    void followsSelfReferencesDownwardToAFixedPoint(TestDatabase db) {
        Engine.Run run = Engine.run(db, "cyc", c -> sampleWhere(Plans.on(c), "cyc.dept", "id = 1").follow("cyc.emp")
                .skip("cyc.store").skip("cyc.staff").build());
        // dept 1 -> emp 1 -> (boss) emp 2 -> emp 3; emp 2 and 3 need dept 2 upward, which pulls no employees
        assertEquals(set("1", "2", "3"), run.rows("cyc.emp"));
        assertEquals(set("1", "2"), run.rows("cyc.dept"));
    }

    @Test
    void viaRestrictsWhichForeignKeysDriveAFollowTable(TestDatabase db) {
        Engine.Run run = Engine.run(db, "cyc", c -> sampleWhere(Plans.on(c), "cyc.dept", "id = 1")
                .follow("cyc.emp", null, "emp_dept").skip("cyc.store").skip("cyc.staff").build());
        assertEquals(set("1"), run.rows("cyc.emp"));
    }

    @Test
    void closesTwoTableCyclesDownAndUp(TestDatabase db) {
        Function<Catalog, Plans> base = c -> Plans.on(c).skip("cyc.dept").skip("cyc.emp");
        Engine.Run down = Engine.run(db, "cyc", c -> sampleWhere(base.apply(c), "cyc.store", "id = 1").follow("cyc.staff")
                .build());
        assertEquals(set("1"), down.rows("cyc.store"));
        assertEquals(set("10", "11"), down.rows("cyc.staff"));
        Engine.Run up = Engine.run(db, "cyc", c -> sampleWhere(base.apply(c), "cyc.staff", "id = 21").follow("cyc.store")
                .build());
        // staff 21 -> store 2 (upward) -> its manager, staff 20 (upward) -> store 2: no children pulled
        assertEquals(set("2"), up.rows("cyc.store"));
        assertEquals(set("20", "21"), up.rows("cyc.staff"));
    }

    @Test
    void followsCompositeKeysAndKeysOnUniqueColumns(TestDatabase db) {
        Engine.Run run = Engine.run(db, "comp", c -> sampleWhere(Plans.on(c), "comp.orders", "region LIKE 'us%'")
                .follow("comp.line").follow("comp.tag").build());
        assertEquals(set("us,1", "us, \"q\"\\,1"), run.rows("comp.orders"));
        assertEquals(set("3", "4", "6"), run.rows("comp.line"));
        assertEquals(set("2", "3"), run.rows("comp.tag"));
    }

    @Test
    void compositeForeignKeyWithANullReferencesNothing(TestDatabase db) {
        Engine.Run run = Engine.run(db, "comp", c -> sampleWhere(Plans.on(c), "comp.line", "id IN (1, 5)")
                .follow("comp.orders").follow("comp.tag").build());
        assertEquals(set("eu,1"), run.rows("comp.orders"));
        assertEquals(set(), run.rows("comp.tag"), "orders pulled upward pull no tags");
    }

    @Test
    void tableWithoutKeyIsSelectedByCtid(TestDatabase db) {
        Engine.Run all = Engine.run(db, "nokey", c -> sampleWhere(Plans.on(c), "nokey.parent", "id <= 2")
                .follow("nokey.log").build());
        assertEquals(4, all.rows("nokey.log").size());
        assertEquals(4, all.subset().table(Plans.name("nokey.log")).orElseThrow().rows());
        Engine.Run limited = Engine.run(db, "nokey", c -> sampleWhere(Plans.on(c), "nokey.parent", "id <= 2")
                .follow("nokey.log", 2L).build());
        TreeSet<String> firstTwo = new TreeSet<>(db.query(
                "SELECT ctid::text FROM nokey.log WHERE parent_id IN (1, 2) ORDER BY parent_id, ctid LIMIT 2")
                .stream().map(r -> r.get(0)).toList());
        assertEquals(firstTwo, limited.rows("nokey.log"));
    }

    @Test
    void partitionedTablesMapPartitionsToTheirRoot(TestDatabase db) {
        Engine.Run run = Engine.run(db, "part", c -> sampleWhere(Plans.on(c), "part.customer", "id = 1")
                .follow("part.event").follow("part.event_note").follow("part.raw").follow("part.vip")
                .follow("part.archive_ref").build());
        assertEquals(set("1,2024-03-01", "2,2025-03-01"), run.rows("part.event"));
        assertEquals(set("1", "3"), run.rows("part.event_note"));
        assertEquals(set("1"), run.rows("part.archive_ref"), "a key to one partition");
        assertEquals(set("1"), run.rows("part.vip"), "a partition's own key, pulled upward");
        assertEquals(2, run.rows("part.raw").size(), "keyless partitioned table by (tableoid, ctid)");
        assertEquals(set("1", "1"), new TreeSet<>(db.query("SELECT customer_id FROM part.raw").stream()
                .filter(r -> r.get(0).equals("1")).map(r -> r.get(0)).toList()));
        assertTrue(run.subset().table(Plans.name("part.event_2024")).isEmpty(), "partitions are not plan tables");
    }

    @Test
    void inheritanceParentRowsComeFromOnlyTheParent(TestDatabase db) {
        Engine.Run run = Engine.run(db, "inh", c -> sampleWhere(Plans.on(c), "inh.city", null).skip("inh.visit").build());
        assertEquals(set("1", "2"), run.rows("inh.city"));
        // the child is a table of its own (full here); without a key of its own its rows go by ctid
        assertEquals(set(db.queryValue("SELECT ctid::text FROM inh.capital")), run.rows("inh.capital"));
        Engine.Run up = Engine.run(db, "inh", c -> sampleWhere(Plans.on(c), "inh.visit", "id = 1").follow("inh.city")
                .skip("inh.capital").build());
        assertEquals(set("1"), up.rows("inh.city"));
    }

    @Test
    void extensionDataIsNotDumpedAndConfigTablesUseTheirFilter(TestDatabase db) {
        Engine.Run run = Engine.run(db, "ext", c -> sampleWhere(Plans.on(c), "ext.user_row", null)
                .follow("ext.ext_data").build());
        assertInstanceOf(RowSelection.NoRows.class, run.subset().table(Plans.name("ext.ext_data")).orElseThrow().selection());
        RowSelection conf = run.subset().table(Plans.name("ext.ext_conf")).orElseThrow().selection();
        assertEquals(new RowSelection.AllRows(java.util.Optional.of("id > 3")), conf);
        assertEquals(set("4", "5"), run.rows("ext.ext_conf"));
        assertEquals(set("1", "2"), run.rows("ext.user_row"));
    }

    @Test
    void notValidForeignKeysAreFollowedAsFarAsTheDataAllows(TestDatabase db) {
        Engine.Run run = Engine.run(db, "nv", c -> sampleWhere(Plans.on(c), "nv.child", null).follow("nv.parent").build());
        // child 2 references the missing parent 99: it stays, as in the source; the others pull their parents
        assertEquals(set("1", "2", "3"), run.rows("nv.child"));
        assertEquals(set("1", "2"), run.rows("nv.parent"));
        Engine.Run down = Engine.run(db, "nv", c -> sampleWhere(Plans.on(c), "nv.parent", "id = 2").follow("nv.child")
                .build());
        assertEquals(set("3"), down.rows("nv.child"));
    }

    @Test
    void worksWithDefaultTransactionReadOnlyAndASelectOnlyRole(TestDatabase db) throws Exception {
        db.execute("""
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'engine_reader') THEN
                    CREATE ROLE engine_reader LOGIN;
                  END IF;
                END $$;
                GRANT USAGE ON SCHEMA cyc TO engine_reader;
                GRANT SELECT ON ALL TABLES IN SCHEMA cyc TO engine_reader;
                """);
        db.execute("ALTER ROLE engine_reader SET default_transaction_read_only = on");
        Function<Catalog, ResolvedPlan> plan = c -> sampleWhere(Plans.on(c), "cyc.dept", "id = 1").follow("cyc.emp")
                .follow("cyc.staff").follow("cyc.store").build();
        try (Connection c = DriverManager.getConnection(db.cluster().jdbcUrl(db.name()), "engine_reader", "")) {
            assertEquals("on", value(c, "SHOW default_transaction_read_only"));
            assertEquals("f", value(c, "SELECT pg_catalog.has_table_privilege('cyc.emp', 'INSERT')::text").substring(0, 1));
            Engine.Run run = Engine.run(c, List.of("cyc"), plan, Closure.Options.defaults());
            assertEquals(set("1", "2", "3"), run.rows("cyc.emp"));
            assertEquals(Set.of(), run.rows("cyc.staff"));
        }
    }

    private static String value(Connection c, String sql) throws Exception {
        try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
