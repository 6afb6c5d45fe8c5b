package io.pgsubset.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@PgTest
class VerifyCommandTest {
    static Path dumpDir;

    @BeforeAll
    static void dump(TestDatabase db, @TempDir Path tmp) throws Exception {
        db.execute("""
                CREATE TABLE parent (id int PRIMARY KEY, name text);
                INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 100) g;
                CREATE TABLE "Child" (id serial PRIMARY KEY, parent_id int REFERENCES parent, note text);
                INSERT INTO "Child" (parent_id, note) SELECT 1 + g % 100, E'a,"b"\\n' || g FROM generate_series(1, 500) g;
                CREATE TABLE loose (id int PRIMARY KEY, parent_id int);
                INSERT INTO loose VALUES (1, 1), (2, 2);
                ALTER TABLE loose ADD CONSTRAINT loose_parent FOREIGN KEY (parent_id) REFERENCES parent NOT VALID;
                CREATE TABLE pair_parent (a int, b int, PRIMARY KEY (a, b));
                INSERT INTO pair_parent VALUES (1, 1), (1, 2);
                CREATE TABLE pair_child (id int, a int, b int, FOREIGN KEY (a, b) REFERENCES pair_parent);
                INSERT INTO pair_child VALUES (1, 1, 1), (2, 1, NULL), (3, 1, 2);
                CREATE TABLE "Tagged" (id int PRIMARY KEY, parent_ref int);
                INSERT INTO "Tagged" VALUES (1, 5), (2, NULL);
                """);
        Path plan = tmp.resolve("plan.yaml");
        Files.writeString(plan, """
                version: 1
                relations:
                  - child: '"Tagged"(parent_ref)'
                    parent: parent(id)
                """);
        dumpDir = tmp.resolve("out");
        Cli.Result r = Cli.against(db, "dump", "-o", dumpDir.toString(), "--quiet", "--plan", plan.toString());
        assertEquals(0, r.exitCode(), r::toString);
    }

    private static TestDatabase restored(TestDatabase db, String suffix) {
        TestDatabase target = db.sibling(suffix);
        List<String> args = new ArrayList<>(List.of("restore", dumpDir.toString(), "--quiet"));
        args.addAll(target.connectionArgs());
        Cli.Result r = Cli.run(Map.of(), args);
        assertEquals(0, r.exitCode(), r::toString);
        return target;
    }

    private static Cli.Result verify(TestDatabase target, String... more) {
        List<String> args = new ArrayList<>(List.of("verify", dumpDir.toString()));
        args.addAll(target.connectionArgs());
        args.addAll(List.of(more));
        return Cli.run(Map.of(), args);
    }

    @Test
    void passesAFaithfulRestore(TestDatabase db) {
        TestDatabase target = restored(db, "same");
        Cli.Result r = verify(target);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("public.Child") && r.out().contains("500 rows, content equal"), r.out());
        assertTrue(r.out().contains("public.loose loose_parent") && r.out().contains("NOT VALID"), r.out());
        assertTrue(r.out().contains("public.Child_id_seq"), r.out());
        assertTrue(r.out().contains(" 0 differences"), r.out());
    }

    @Test
    void detectsAChangedValue(TestDatabase db) {
        TestDatabase target = restored(db, "changed");
        target.execute("UPDATE \"Child\" SET note = note || ' ' WHERE id = 17");
        Cli.Result r = verify(target);
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("table public.Child: 500 rows as in the manifest, but their content differs"),
                r.err());
    }

    @Test
    void detectsAMissingAndAnExtraRow(TestDatabase db) {
        TestDatabase missing = restored(db, "missing");
        missing.execute("DELETE FROM \"Child\" WHERE id = 3");
        Cli.Result m = verify(missing);
        assertEquals(1, m.exitCode(), m::toString);
        assertTrue(m.err().contains("table public.Child: 499 rows, the manifest says 500"), m.err());

        TestDatabase extra = restored(db, "extra");
        extra.execute("INSERT INTO parent VALUES (101, 'new')");
        Cli.Result e = verify(extra);
        assertEquals(1, e.exitCode(), e::toString);
        assertTrue(e.err().contains("table public.parent: 101 rows, the manifest says 100"), e.err());
    }

    @Test
    void detectsADroppedForeignKey(TestDatabase db) {
        TestDatabase target = restored(db, "nofk");
        target.execute("ALTER TABLE \"Child\" DROP CONSTRAINT \"Child_parent_id_fkey\"");
        Cli.Result r = verify(target);
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("foreign key public.Child Child_parent_id_fkey: missing"), r.err());
    }

    @Test
    void checksNotValidForeignKeysToo(TestDatabase db) {
        TestDatabase target = restored(db, "notvalid");
        target.execute("SET session_replication_role = replica; UPDATE loose SET parent_id = 999 WHERE id = 2");
        Cli.Result r = verify(target, "--format", "json");
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("foreign key public.loose loose_parent: 1 rows reference no row of public.parent"),
                r.err());
    }

    @Test
    void detectsASequenceBehindTheDump(TestDatabase db) throws Exception {
        TestDatabase target = restored(db, "seq");
        target.execute("SELECT setval('\"Child_id_seq\"', 10)");
        Cli.Result r = verify(target, "--format", "json");
        assertEquals(1, r.exitCode(), r::toString);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(1, json.get("differences").asInt());
        JsonNode seq = null;
        for (JsonNode c : json.get("checks")) {
            if (c.get("object").asText().equals("public.Child_id_seq")) {
                seq = c;
            }
        }
        assertTrue(seq != null && !seq.get("ok").asBoolean(), r.out());
        assertEquals("behind the dump: next value 11, the dump's 501", seq.get("detail").asText());
    }

    @Test
    void countsCompositeKeysWithNullsAsMatchSimpleDoes(TestDatabase db) {
        TestDatabase target = restored(db, "composite");
        assertEquals(0, verify(target).exitCode());
        target.execute("ALTER TABLE pair_child DROP CONSTRAINT pair_child_a_b_fkey;"
                + "INSERT INTO pair_child VALUES (4, 9, 9), (5, 9, NULL);"
                + "ALTER TABLE pair_child ADD CONSTRAINT pair_child_a_b_fkey FOREIGN KEY (a, b) REFERENCES pair_parent"
                + " NOT VALID");
        Cli.Result r = verify(target);
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("pair_child_a_b_fkey: 1 rows reference no row"), r.err());
    }

    @Test
    void checksThePlansUndeclaredRelations(TestDatabase db) {
        TestDatabase target = restored(db, "relation");
        Cli.Result ok = verify(target);
        assertEquals(0, ok.exitCode(), ok::toString);
        assertTrue(ok.out().contains("relation public.\"Tagged\" -> public.parent"), ok.out());
        target.execute("UPDATE \"Tagged\" SET parent_ref = 999 WHERE id = 1");
        Cli.Result r = verify(target);
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("1 rows reference no row of public.parent (plan relation)"), r.err());
    }
}
