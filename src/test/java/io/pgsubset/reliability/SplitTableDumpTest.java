package io.pgsubset.reliability;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.DbState;
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

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dump --jobs copies a table that bounds the dump as block (ctid) ranges in parallel; a small
 * --part-size forces it on small tables. The split dump's files are the unsplit dump's files, byte
 * for byte, restore and verify cleanly, and a failing part fails the whole dump.
 */
@PgTest
class SplitTableDumpTest {
    private static final Pattern SPLIT = Pattern.compile("copying (\\S+) as (\\d+) block ranges");

    @BeforeAll
    static void fixture(TestDatabase db) {
        db.execute(FIXTURE);
    }

    // trace dominates the database; deletes and updates leave holes and move row versions to later
    // blocks; reading is an inheritance parent with rows of its own; events is partitioned
    private static final String FIXTURE = """
                CREATE TABLE trace (id int PRIMARY KEY, file_id int NOT NULL, at timestamptz, data bytea, note text);
                INSERT INTO trace
                  SELECT g, g % 100, timestamptz '2024-01-01 00:00+00' + g * interval '1 s',
                         decode(md5(g::text) || md5((g + 1)::text), 'hex'),
                         CASE WHEN g % 7 = 0 THEN NULL WHEN g % 11 = 0 THEN E'line\\nbreak, "quoted"'
                              WHEN g % 5 = 0 THEN '' ELSE 'n' || g END
                    FROM generate_series(1, 20000) g;
                DELETE FROM trace WHERE id % 13 = 0;
                UPDATE trace SET note = 'updated' WHERE id % 17 = 0;
                CREATE TABLE reading (id int, v text);
                CREATE TABLE reading_child (extra int) INHERITS (reading);
                INSERT INTO reading SELECT g, repeat('x', 60) || g FROM generate_series(1, 9000) g;
                INSERT INTO reading_child SELECT g, 'child', g FROM generate_series(1, 100) g;
                CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);
                CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
                INSERT INTO events SELECT g, date '2024-01-01' + (g % 700) FROM generate_series(1, 3000) g;
                CREATE TABLE nothing (id int);
                CREATE TABLE small (id int PRIMARY KEY, name text);
                INSERT INTO small SELECT g, 's' || g FROM generate_series(1, 10) g;
                ANALYZE;
                """;

    /** table -> block ranges, from the --verbose lines of a dump. */
    private static Map<String, Integer> splits(Cli.Result r) {
        Matcher m = SPLIT.matcher(r.err());
        Map<String, Integer> out = new java.util.TreeMap<>();
        while (m.find()) {
            out.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return out;
    }

    private static Map<String, String> files(Manifest m) {
        return m.tables().stream().collect(Collectors.toMap(t -> t.schema() + "." + t.name(),
                t -> t.rows() + " rows, " + t.bytes() + " bytes, sha256 " + t.sha256() + ", digest " + t.rowDigest(),
                (a, b) -> a, java.util.TreeMap::new));
    }

    private static List<String> dataDirectory(Path dump) throws IOException {
        try (Stream<Path> files = Files.list(dump.resolve("data"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSplitTableHasExactlyTheFileOfTheUnsplitDumpAndRestoresAndVerifies(TestDatabase db, @TempDir Path tmp)
            throws IOException {
        Path whole = tmp.resolve("whole");
        Manifest unsplit = Dumps.dumpOk(db, whole, "--jobs", "1", "--quiet");

        Path split = tmp.resolve("split");
        Cli.Result r = Dumps.dump(db, split, "--jobs", "3", "--part-size", "64kB", "--verbose");
        assertEquals(0, r.exitCode(), r::toString);
        Map<String, Integer> ranges = splits(r);
        assertEquals(List.of("public.reading", "public.trace"), List.copyOf(ranges.keySet()), r.err());
        assertTrue(ranges.get("public.trace") > 10, r.err());
        Manifest m = Dumps.manifest(split);

        assertEquals(files(unsplit), files(m));
        for (String f : List.of("data/public.trace.csv", "data/public.reading.csv")) {
            assertArrayEquals(Files.readAllBytes(whole.resolve(f)), Files.readAllBytes(split.resolve(f)), f);
        }
        // no temporary part file is left beside the data files
        assertEquals(dataDirectory(whole), dataDirectory(split));

        TestDatabase target = db.sibling("split_java");
        Cli.Result restored = Dumps.restore(target, split, "--jobs", "2");
        assertEquals(0, restored.exitCode(), restored::toString);
        assertEquals(DbState.of(db), DbState.of(target));
        Cli.Result verified = Dumps.verify(target, split);
        assertEquals(0, verified.exitCode(), verified::toString);
    }

    @Test
    void aCompressedSplitTableIsOneGzipStreamForRestoreAndRestoreSh(TestDatabase db, @TempDir Path tmp)
            throws IOException {
        Path whole = tmp.resolve("whole");
        Manifest unsplit = Dumps.dumpOk(db, whole, "--jobs", "1", "--quiet");
        Path split = tmp.resolve("split");
        Cli.Result r = Dumps.dump(db, split, "--jobs", "2", "--part-size", "100kB", "--compress", "--verbose");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(splits(r).getOrDefault("public.trace", 0) > 2, r.err());

        // gzip members, one per part, read back as the CSV of the unsplit dump
        try (InputStream in = new GZIPInputStream(Files.newInputStream(split.resolve("data/public.trace.csv.gz")))) {
            assertArrayEquals(Files.readAllBytes(whole.resolve("data/public.trace.csv")), in.readAllBytes());
        }
        Map<String, String> digests = Dumps.manifestContent(Dumps.manifest(split));
        assertEquals(Dumps.manifestContent(unsplit), digests);

        TestDatabase java = db.sibling("gz_java");
        Cli.Result restored = Dumps.restore(java, split, "--jobs", "2");
        assertEquals(0, restored.exitCode(), restored::toString);
        assertEquals(DbState.of(db), DbState.of(java));

        TestDatabase sh = db.sibling("gz_sh");
        Cli.Result script = Dumps.restoreSh(split, sh);
        assertEquals(0, script.exitCode(), script::toString);
        assertEquals(DbState.of(db), DbState.of(sh));
        Cli.Result verified = Dumps.verify(sh, split);
        assertEquals(0, verified.exitCode(), verified::toString);
    }

    @Test
    void aTransformedSplitTableHasTheRowsOfTheTransformedWholeDump(TestDatabase db, @TempDir Path tmp) {
        Path plan = Dumps.plan(tmp, """
                version: 1
                transform:
                  trace:
                    note: "upper(left(note, 3)) || '#' || file_id"
                    data: "null"
                """);
        Manifest whole = Dumps.dumpOk(db, tmp.resolve("whole"), "--plan", plan.toString(), "--quiet");
        Cli.Result r = Dumps.dump(db, tmp.resolve("split"), "--plan", plan.toString(), "--jobs", "2",
                "--part-size", "64kB", "--verbose");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(splits(r).getOrDefault("public.trace", 0) > 2, r.err());
        Manifest split = Dumps.manifest(tmp.resolve("split"));
        assertEquals(files(whole), files(split));
        Map<String, String> transforms = trace(split).transforms();
        assertEquals(trace(whole).transforms(), transforms);
        assertEquals(2, transforms.size(), transforms::toString);
    }

    private static Manifest.TableEntry trace(Manifest m) {
        return m.tables().stream().filter(t -> t.name().equals("trace")).findFirst().orElseThrow();
    }

    @Test
    void aFailingPartFailsTheDumpWithOneMessageAndLeavesNoDirectory(TestDatabase db, @TempDir Path tmp)
            throws IOException {
        // only the rows of the last blocks fail: the transform's 20-row trial passes, a later part fails
        Path plan = Dumps.plan(tmp, """
                version: 1
                transform:
                  trace:
                    note: "CASE WHEN id > 19900 THEN (1 / (id - id))::text ELSE note END"
                """);
        // the same options split trace (--verbose would add a stack trace to the failure below)
        Cli.Result ok = Dumps.dump(db, tmp.resolve("ok"), "--jobs", "2", "--part-size", "64kB", "--verbose");
        assertEquals(0, ok.exitCode(), ok::toString);
        assertTrue(splits(ok).getOrDefault("public.trace", 0) > 2, ok.err());
        deleteTree(tmp.resolve("ok"));

        Path out = tmp.resolve("failed");
        Cli.Result r = Dumps.dump(db, out, "--plan", plan.toString(), "--jobs", "2", "--part-size", "64kB");
        Dumps.assertOneClearError(r, 1);
        assertTrue(r.err().contains("COPY of public.trace failed: ERROR: division by zero"), r::toString);
        assertFalse(r.err().contains("canceling statement"), r::toString);
        assertFalse(Files.exists(out));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of("plan.yaml"), left.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * PostgreSQL 13 has no TID Range Scan (a ctid range filters a scan of the whole table), so
     * nothing is split there; 14 splits. Both give the unsplit dump's files. Slow (a server per
     * version): {@code -Dpgsubset.long=true} only.
     */
    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {13, 14})
    @EnabledIfSystemProperty(named = "pgsubset.long", matches = "true")
    void splitsOnlyFromPostgres14(int major, @TempDir Path tmp) {
        try (PgCluster server = PgCluster.start(ZonkyBinaries.binDir(major), List.of())) {
            TestDatabase source = TestDatabase.create(server, "split" + major);
            source.execute(FIXTURE);
            Manifest whole = Dumps.dumpOk(source, tmp.resolve("whole"), "--quiet");
            Cli.Result r = Dumps.dump(source, tmp.resolve("split"), "--jobs", "2", "--part-size", "64kB",
                    "--verbose");
            assertEquals(0, r.exitCode(), r::toString);
            assertEquals(major >= 14, splits(r).containsKey("public.trace"), r.err());
            assertEquals(files(whole), files(Dumps.manifest(tmp.resolve("split"))));
        }
    }

    @Test
    void oneJobOrAZeroPartSizeNeverSplits(TestDatabase db, @TempDir Path tmp) {
        Cli.Result one = Dumps.dump(db, tmp.resolve("one"), "--jobs", "1", "--part-size", "64kB", "--verbose");
        assertEquals(0, one.exitCode(), one::toString);
        assertEquals(Map.of(), splits(one));
        Cli.Result zero = Dumps.dump(db, tmp.resolve("zero"), "--jobs", "2", "--part-size", "0", "--verbose");
        assertEquals(0, zero.exitCode(), zero::toString);
        assertEquals(Map.of(), splits(zero));
        // the default part size (128MB) leaves a small database whole
        Cli.Result dflt = Dumps.dump(db, tmp.resolve("default"), "--jobs", "2", "--verbose");
        assertEquals(0, dflt.exitCode(), dflt::toString);
        assertEquals(Map.of(), splits(dflt));
    }
}
