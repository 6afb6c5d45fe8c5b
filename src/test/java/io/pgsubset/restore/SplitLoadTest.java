package io.pgsubset.restore;

import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import io.pgsubset.tools.PgPrograms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One table loaded by several COPY streams at once, from blocks of whole CSV records. */
@PgTest
class SplitLoadTest {
    /**
     * Rows whose CSV has quoted newlines, doubled quotes, commas, NULL versus "", and a 3 MB field;
     * about 16 blocks of 1 MB, so that every stream of a --jobs 3 load gets some even when the
     * machine is busy (with 5 blocks one stream sometimes took them all).
     */
    static final String TRICKY = """
            CREATE TABLE "tri""cky
            table" (id int PRIMARY KEY, "a ""quoted"",
            name" text, note text, blob bytea);
            INSERT INTO "tri""cky
            table" SELECT g,
              CASE g % 5 WHEN 0 THEN E'line\\nbreak "q" \\n' WHEN 1 THEN '"' WHEN 2 THEN '' WHEN 3 THEN NULL
                         ELSE E'\\n' END,
              repeat(E',"\\n', g % 7) || repeat('y', 400),
              CASE WHEN g % 3 = 0 THEN decode(md5(g::text), 'hex') END
            FROM generate_series(1, 30000) g;
            UPDATE "tri""cky
            table" SET note = repeat(E'x"\\n', 1000000) WHERE id = 777;
            CREATE TABLE small (id int PRIMARY KEY, tricky_id int REFERENCES "tri""cky
            table"(id));
            INSERT INTO small VALUES (1, 777), (2, NULL);
            CREATE INDEX ON "tri""cky
            table" ("a ""quoted"",
            name");
            """;

    static Path plain;
    static Path gzipped;
    static Manifest manifest;

    @BeforeAll
    static void dump(TestDatabase db, @TempDir Path tmp) throws Exception {
        db.execute(TRICKY);
        plain = tmp.resolve("plain");
        manifest = TestDumps.dump(db, plain, false);
        gzipped = tmp.resolve("gz");
        TestDumps.dump(db, gzipped, true);
    }

    @Test
    void aTableSplitAcrossStreamsRestoresExactly(TestDatabase db) {
        for (Path dump : List.of(plain, gzipped)) {
            TestDatabase target = db.sibling(dump == plain ? "split" : "splitgz");
            RestoreResult result = restore(target, dump, 3);
            assertTrue(result.allMatch(), result::toString);
            TestTargets.assertSameRows(db, target, manifest);
            assertEquals(db.queryValue("SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM \"tri\"\"cky\ntable\" t"),
                    target.queryValue("SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM \"tri\"\"cky\ntable\" t"));
            assertEquals("2", target.queryValue("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                    + " WHERE c.relname = 'tri\"cky\ntable'"), "primary key and index");
            // each connection loads in its own transaction: rows of several xmin were loaded side by side
            assertTrue(target.queryLong("SELECT count(DISTINCT xmin::text) FROM \"tri\"\"cky\ntable\"") >= 2,
                    "the table was loaded by one connection only");
            List<String> verify = new ArrayList<>(List.of("verify", dump.toString()));
            verify.addAll(target.connectionArgs());
            Cli.Result v = Cli.run(Map.of(), verify);
            assertEquals(0, v.exitCode(), v::toString);
        }
    }

    @Test
    void aTableLoadedWholeIsWrittenFrozen(TestDatabase db) {
        TestDatabase target = db.sibling("frozen");
        ConnectionTarget server = ConnectionTarget.resolve(ConnectionOptions.none(), target.libpqEnv());
        Restore restore = new Restore(server, new PgPrograms(System.getenv()).find("psql", Optional.empty()),
                System.getenv(), RestoreListener.QUIET);
        RestoreResult result = restore.run(new RestoreRequest(plain, 1, false, Optional.empty(), false,
                Optional.empty(), false, false, "postgres"));
        assertTrue(result.allMatch(), result::toString);
        TestTargets.assertSameRows(db, target, manifest);
        assertEquals("1", target.queryValue("SELECT count(DISTINCT xmin::text) FROM \"tri\"\"cky\ntable\""),
                "one connection, one transaction");
        // COPY FREEZE marks the pages all-visible (no autovacuum in the test cluster could have);
        // ANALYZE copies the count into pg_class
        assertEquals("t", target.queryValue("SELECT relpages > 0 AND relallvisible = relpages FROM pg_class"
                + " WHERE relname = 'tri\"cky\ntable'"));
    }

    @Test
    void aTamperedFileOfASplitTableCommitsNothing(TestDatabase db, @TempDir Path tmp) throws IOException {
        Path tampered = TestTargets.copyDump(plain, tmp.resolve("tampered"));
        Manifest.TableEntry big = manifest.tables().stream().filter(t -> t.name().startsWith("tri")).findFirst()
                .orElseThrow();
        Path file = tampered.resolve(big.file());
        String csv = Files.readString(file);
        Files.writeString(file, csv.replaceFirst("\n29999,", "\n39999,"));
        TestDatabase target = db.sibling("tampered");
        UsageException e = assertThrows(UsageException.class, () -> restore(target, tampered, 2));
        assertTrue(e.getMessage().contains(file + ": sha256 ") && e.getMessage().contains("no data was committed"),
                e.getMessage());
        assertEquals("0", target.queryValue("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
    }

    /**
     * A row the server refuses is reported with the server's message and the table (not a driver's
     * wrapper such as "Write to copy failed."), and commits nothing.
     */
    @Test
    void aRowTheServerRefusesIsReportedWithTheServersMessage(TestDatabase db, @TempDir Path tmp) throws IOException {
        Path bad = TestTargets.copyDump(plain, tmp.resolve("bad"));
        Manifest.TableEntry big = manifest.tables().stream().filter(t -> t.name().startsWith("tri")).findFirst()
                .orElseThrow();
        Path file = bad.resolve(big.file());
        Files.writeString(file, Files.readString(file).replaceFirst("\n2,", "\n2x,"));
        Path m = bad.resolve("manifest.json");
        Files.writeString(m, Files.readString(m).replace(big.sha256(), DumpCheck.sha256(file)));
        TestDatabase target = db.sibling("refused");
        PgsubsetException e = assertThrows(PgsubsetException.class, () -> restore(target, bad, 1));
        assertTrue(e.getMessage().startsWith("loading public.tri\"cky\ntable from " + big.file() + " failed: ")
                && e.getMessage().contains("invalid input syntax for type integer: \"2x\""), e.getMessage());
        assertEquals("0", target.queryValue("SELECT count(*) FROM \"tri\"\"cky\ntable\""));
    }

    private static RestoreResult restore(TestDatabase target, Path dump, int jobs) {
        ConnectionTarget server = ConnectionTarget.resolve(ConnectionOptions.none(), target.libpqEnv());
        Restore restore = new Restore(server, new PgPrograms(System.getenv()).find("psql", Optional.empty()),
                System.getenv(), RestoreListener.QUIET, 1);
        return restore.run(new RestoreRequest(dump, jobs, false, Optional.empty(), false, Optional.empty(), false,
                false, "postgres"));
    }
}
