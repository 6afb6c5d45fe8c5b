package io.pgsubset.restore;

import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.error.UsageException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import io.pgsubset.tools.PgPrograms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    /** Rows whose CSV has quoted newlines, doubled quotes, commas, NULL versus "", and a 3 MB field. */
    static final String TRICKY = """
            CREATE TABLE "tri""cky
            table" (id int PRIMARY KEY, "a ""quoted"",
            name" text, note text, blob bytea);
            INSERT INTO "tri""cky
            table" SELECT g,
              CASE g % 5 WHEN 0 THEN E'line\\nbreak "q" \\n' WHEN 1 THEN '"' WHEN 2 THEN '' WHEN 3 THEN NULL
                         ELSE E'\\n' END,
              repeat(E',"\\n', g % 7),
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

    @Test
    void blocksEndAtRecordEndsOnly() throws IOException {
        String csv = "\"h\n1\",h2\n" + "a,\"x\ny\"\n" + "\"\"\"\n\",b\n" + "c,d";
        CsvBlocks blocks = new CsvBlocks(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), 4);
        StringBuilder all = new StringBuilder();
        for (Optional<CsvBlocks.Block> b = blocks.next(); b.isPresent(); b = blocks.next()) {
            String text = new String(b.get().bytes(), 0, b.get().length(), StandardCharsets.UTF_8);
            assertTrue(text.endsWith("\n") || text.equals("c,d"), "a block ends inside a record: " + text);
            all.append(text);
        }
        assertEquals("a,\"x\ny\"\n\"\"\"\n\",b\nc,d", all.toString(), "the header record is dropped, nothing else");
    }

    @Test
    void blocksOfAnySizeCutExactlyAtRecordEnds() throws IOException {
        java.util.Random random = new java.util.Random(7);
        StringBuilder csv = new StringBuilder("id,\"x\ny\"\n");
        String[] pieces = {"abc", "\"q\"\"\n\"", "\"\"", ",", "\"a,\nb\"", "0123456789abcdef", "\"\n\n\""};
        for (int r = 0; r < 400; r++) {
            csv.append(r);
            for (int f = random.nextInt(4); f > 0; f--) {
                csv.append(',').append(pieces[random.nextInt(pieces.length)]);
            }
            csv.append('\n');
        }
        String body = csv.substring(csv.indexOf("\"\n") + 2);
        java.util.Set<Integer> ends = new java.util.HashSet<>();
        boolean quoted = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\n' && !quoted) {
                ends.add(i + 1);
            }
        }
        for (int size : new int[] {8, 13, 64, 100, 1000, 1 << 16}) {
            CsvBlocks blocks = new CsvBlocks(new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)),
                    size);
            StringBuilder all = new StringBuilder();
            for (Optional<CsvBlocks.Block> b = blocks.next(); b.isPresent(); b = blocks.next()) {
                all.append(new String(b.get().bytes(), 0, b.get().length(), StandardCharsets.UTF_8));
                assertTrue(ends.contains(all.length()), "block size " + size + ": a block ends inside a record at "
                        + all.length());
            }
            assertEquals(body, all.toString(), "block size " + size);
        }
    }

    private static RestoreResult restore(TestDatabase target, Path dump, int jobs) {
        ConnectionTarget server = ConnectionTarget.resolve(ConnectionOptions.none(), target.libpqEnv());
        Restore restore = new Restore(server, new PgPrograms(System.getenv()).find("psql", Optional.empty()),
                System.getenv(), RestoreListener.QUIET, 1);
        return restore.run(new RestoreRequest(dump, jobs, false, Optional.empty(), false, Optional.empty(), false,
                false, "postgres"));
    }
}
