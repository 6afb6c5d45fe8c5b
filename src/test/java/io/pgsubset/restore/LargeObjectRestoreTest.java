package io.pgsubset.restore;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
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

/**
 * Large objects referenced by the dumped rows (oid and lo columns, after transforms) come along
 * under their own OIDs, through restore.sh and pgsubset restore, and verify compares them; one no
 * dumped row references stays behind; a reference to no object is reported, not fatal.
 */
@PgTest
class LargeObjectRestoreTest {
    /** Every object's OID and sha256 in the source. */
    private static final String DIGESTS = "SELECT string_agg(oid || ':' || encode(sha256(lo_get(oid)), 'hex'), ' '"
            + " ORDER BY oid) FROM pg_largeobject_metadata";
    static Path subsetDir;
    static Path fullDir;
    static Cli.Result subsetDump;

    @BeforeAll
    static void dump(TestDatabase db, @TempDir Path tmp) throws Exception {
        db.execute("""
                CREATE EXTENSION lo;
                DO $$ BEGIN CREATE ROLE "lo owner"; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
                SELECT lo_from_bytea(70001, '\\x00ff0000410a00'::bytea);
                SELECT lo_from_bytea(70002, (SELECT string_agg(sha256(int4send(g)), '' ORDER BY g)
                                               FROM generate_series(1, 120000) g));
                SELECT lo_from_bytea(70003, 'twice');
                SELECT lo_from_bytea(70004, 'row not in the subset');
                SELECT lo_from_bytea(70005, 'nobody references me');
                SELECT lo_create(70006);
                SELECT lo_from_bytea(70007, 'only behind a transformed column');
                ALTER LARGE OBJECT 70001 OWNER TO "lo owner";
                GRANT SELECT ON LARGE OBJECT 70001 TO PUBLIC;
                CREATE TABLE "Doc" (id int PRIMARY KEY, body oid, thumb lo, kind text NOT NULL);
                INSERT INTO "Doc" VALUES (1, 70001, NULL, 'in'), (2, 70002, 70007, 'in'), (3, 70003, 70006, 'in'),
                  (4, 70003, NULL, 'in'), (5, 70004, NULL, 'out'), (6, 99999, NULL, 'in'), (7, NULL, NULL, 'in');
                """);
        Path plan = tmp.resolve("plan.yaml");
        Files.writeString(plan, """
                version: 1
                sample:
                  '"Doc"': {every: 1, where: "kind = 'in'"}
                transform:
                  '"Doc"': {thumb: "CASE WHEN id = 2 THEN NULL ELSE thumb END"}
                """);
        subsetDir = tmp.resolve("subset");
        subsetDump = Cli.against(db, "dump", "-o", subsetDir.toString(), "--plan", plan.toString(), "--keep-owners");
        assertEquals(0, subsetDump.exitCode(), subsetDump::toString);
        fullDir = tmp.resolve("full");
        Cli.Result full = Cli.against(db, "dump", "-o", fullDir.toString(), "--quiet");
        assertEquals(0, full.exitCode(), full::toString);
    }

    @Test
    void subsetCarriesTheReferencedObjectsAndReportsTheDanglingReference(TestDatabase db) {
        Manifest m = ManifestIO.read(subsetDir);
        // 70004: its row is not dumped; 70005: nobody references it; 70007: its only reference is transformed away
        assertEquals(List.of(70001L, 70002L, 70003L, 70006L), m.largeObjects().stream()
                .map(Manifest.LargeObjectEntry::oid).toList());
        Manifest.LargeObjectEntry big = m.largeObjects().get(1);
        assertTrue(big.bytes() > 3_000_000, "multi-megabyte: " + big.bytes());
        assertEquals(db.queryValue("SELECT encode(sha256(lo_get(70002)), 'hex')"), big.sha256());
        assertEquals(List.of(new Manifest.DanglingReference("public", "Doc", "body", 1, 1)),
                m.danglingLargeObjectReferences());
        assertTrue(subsetDump.err().contains("pgsubset: warning: public.Doc.body: 1 dumped rows reference 1 large "
                + "objects that do not exist in the source"), subsetDump::toString);
        assertEquals("lo owner", m.largeObjects().get(0).owner());
        assertEquals(List.of(new Manifest.Grant("PUBLIC", "SELECT")), m.largeObjects().get(0).grants());
    }

    @Test
    void restoreShLoadsThemUnderTheirOwnOidsWithOwnersAndGrants(TestDatabase db) throws Exception {
        TestDatabase target = db.sibling("lo_script");
        TestDumps.ProcessResult r = TestDumps.runScript(subsetDir, target.libpqEnv());
        assertEquals(0, r.exitCode(), r::toString);
        assertSubsetRestored(db, target);
        assertEquals("lo owner", target.queryValue("SELECT pg_get_userbyid(lomowner) FROM pg_largeobject_metadata"
                + " WHERE oid = 70001"));
        assertTrue(target.queryValue("SELECT lomacl::text FROM pg_largeobject_metadata WHERE oid = 70001")
                .contains("=r/"), "SELECT granted to PUBLIC");
    }

    @Test
    void pgsubsetRestoreLoadsThemUnderTheirOwnOids(TestDatabase db) {
        TestDatabase target = db.sibling("lo_java");
        List<String> args = new ArrayList<>(List.of("restore", subsetDir.toString(), "--jobs", "2"));
        args.addAll(target.connectionArgs());
        Cli.Result r = Cli.run(Map.of(), args);
        assertEquals(0, r.exitCode(), r::toString);
        assertSubsetRestored(db, target);
        assertEquals("lo owner", target.queryValue("SELECT pg_get_userbyid(lomowner) FROM pg_largeobject_metadata"
                + " WHERE oid = 70001"));
    }

    @Test
    void everyObjectComesWithAFullDumpAndVerifySeesADifference(TestDatabase db) throws Exception {
        assertEquals(7, ManifestIO.read(fullDir).largeObjects().size());
        TestDatabase target = db.sibling("lo_full");
        TestDumps.ProcessResult r = TestDumps.runScript(fullDir, target.libpqEnv());
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(db.queryValue(DIGESTS), target.queryValue(DIGESTS));
        List<String> verify = new ArrayList<>(List.of("verify", fullDir.toString()));
        verify.addAll(target.connectionArgs());
        assertEquals(0, Cli.run(Map.of(), verify).exitCode());
        target.execute("SELECT lo_put(70002, 1000000, 'x')");
        Cli.Result changed = Cli.run(Map.of(), verify);
        assertEquals(1, changed.exitCode(), changed::toString);
        assertTrue(changed.out().contains("1 of 7 differ: 70002 content differs"), changed.out());
        target.execute("SELECT lo_unlink(70005)");
        Cli.Result fewer = Cli.run(Map.of(), verify);
        assertTrue(fewer.out().contains("6 large objects, the manifest says 7"), fewer.out());
    }

    @Test
    void aDamagedLargeObjectFileRestoresNothing(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path damaged = TestTargets.copyDump(subsetDir, tmp.resolve("damaged"));
        Path file = damaged.resolve("large-objects/70002");
        byte[] bytes = Files.readAllBytes(file);
        bytes[2_000_000] ^= 1;
        Files.write(file, bytes);
        TestDatabase script = db.sibling("lo_damaged_script");
        TestDumps.ProcessResult r = TestDumps.runScript(damaged, script.libpqEnv());
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("large-objects/70002: sha256"), r::toString);
        assertEquals("0", script.queryValue("SELECT count(*) FROM pg_largeobject_metadata"));
        assertEquals("0", script.queryValue("SELECT count(*) FROM pg_class WHERE relname = 'Doc'"));

        TestDatabase java = db.sibling("lo_damaged_java");
        List<String> args = new ArrayList<>(List.of("restore", damaged.toString()));
        args.addAll(java.connectionArgs());
        Cli.Result restored = Cli.run(Map.of(), args);
        assertEquals(2, restored.exitCode(), restored::toString);
        assertTrue(restored.err().contains("large-objects/70002: sha256"), restored::toString);
        assertEquals("0", java.queryValue("SELECT count(*) FROM pg_largeobject_metadata"));
    }

    private static void assertSubsetRestored(TestDatabase source, TestDatabase target) {
        String subset = "SELECT string_agg(oid || ':' || encode(sha256(lo_get(oid)), 'hex'), ' ' ORDER BY oid)"
                + " FROM pg_largeobject_metadata WHERE oid IN (70001, 70002, 70003, 70006)";
        assertEquals(source.queryValue(subset), target.queryValue(DIGESTS));
        assertEquals("\\x00ff0000410a00", target.queryValue("SELECT lo_get(70001)"), "NUL bytes kept");
        assertEquals("twice", target.queryValue("SELECT convert_from(lo_get(b.body), 'UTF8') FROM \"Doc\" b"
                + " WHERE id = 4"));
        assertEquals("0", target.queryValue("SELECT length(lo_get(thumb)) FROM \"Doc\" WHERE id = 3"));
        List<String> verify = new ArrayList<>(List.of("verify", subsetDir.toString()));
        verify.addAll(target.connectionArgs());
        Cli.Result v = Cli.run(Map.of(), verify);
        assertEquals(0, v.exitCode(), v::toString);
        assertTrue(v.out().contains("4 equal to the dump (sha256)"), v.out());
    }
}
