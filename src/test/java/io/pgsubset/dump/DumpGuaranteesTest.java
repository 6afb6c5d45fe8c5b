package io.pgsubset.dump;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC's guarantees for the dump: read only, one snapshot, nothing left behind by a failed or interrupted run. */
@PgTest
class DumpGuaranteesTest {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE parent (id bigserial PRIMARY KEY, note text);
                CREATE TABLE child (id bigserial PRIMARY KEY,
                  parent_id bigint NOT NULL REFERENCES parent ON DELETE CASCADE, note text);
                INSERT INTO parent (note) SELECT 'p' || g FROM generate_series(1, 20000) g;
                INSERT INTO child (parent_id, note) SELECT p.id, 'c' || k FROM parent p, generate_series(1, 2) k;
                ANALYZE;
                """);
    }

    static Cli.Result dump(TestDatabase db, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("-o", out.toString()));
        args.addAll(List.of(more));
        return Cli.against(db, "dump", args.toArray(String[]::new));
    }

    /**
     * A writer moves children between parents, deletes parents (their children cascade) and adds
     * new ones while {@code --jobs 2} copies: the two tables, read on two connections, must come
     * from one instant, so every child's parent is in the parent file. (The deterministic version,
     * writes at known points of the dump, is SnapshotConsistencyTest.)
     */
    @Test
    void jobsShareOneSnapshotUnderConcurrentWrites(TestDatabase db) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                while (!stop.get()) {
                    st.execute("""
                            BEGIN;
                            WITH p AS (INSERT INTO parent (note) VALUES ('new') RETURNING id)
                              INSERT INTO child (parent_id, note) SELECT id, 'n' FROM p, generate_series(1, 2);
                            UPDATE child SET parent_id = (SELECT max(id) FROM parent)
                             WHERE id = (SELECT min(id) FROM child WHERE parent_id < (SELECT max(id) FROM parent));
                            DELETE FROM parent WHERE id = (SELECT min(id) FROM parent);
                            COMMIT;""");
                    writes.incrementAndGet();
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        writer.start();
        try {
            while (writes.get() < 20 && writer.isAlive()) {
                Thread.sleep(10);
            }
            Path out = tmp.resolve("concurrent");
            Cli.Result r = dump(db, out, "--quiet", "--jobs", "2");
            long newestAtEnd = db.queryLong("SELECT last_value FROM parent_id_seq");
            assertEquals(0, r.exitCode(), r::toString);
            Manifest m = ManifestIO.read(out);
            Manifest.TableEntry parent = DumpCommandTest.entry(m, "parent");
            Manifest.TableEntry child = DumpCommandTest.entry(m, "child");
            List<String> parentLines = Files.readAllLines(out.resolve(parent.file()));
            List<String> childLines = Files.readAllLines(out.resolve(child.file()));
            assertEquals(parent.rows() + 1, parentLines.size());
            assertEquals(child.rows() + 1, childLines.size());
            Set<String> parentIds = new HashSet<>();
            parentLines.stream().skip(1).forEach(l -> parentIds.add(l.substring(0, l.indexOf(','))));
            for (String l : childLines.subList(1, childLines.size())) {
                assertTrue(parentIds.contains(l.split(",")[1]), "child without its parent: " + l);
            }
            // each write adds the newest parent: those newer than the dump's newest were committed
            // after its snapshot and before it ended (one more may have been in flight at the end)
            long newestDumped = parentIds.stream().mapToLong(Long::parseLong).max().orElseThrow();
            assertTrue(newestAtEnd - newestDumped > 1, "no write committed between the snapshot and the end of the "
                    + "dump: newest parent " + newestDumped + " dumped, " + newestAtEnd + " at the end");
        } finally {
            stop.set(true);
            writer.join();
        }
        assertEquals(null, failure.get(), () -> "the writer failed: " + failure.get());
    }

    @Test
    void aKeyedSelectionCopiedInChunksHasOneHeader(TestDatabase db) throws Exception {
        long children = db.queryLong("SELECT count(*) FROM child");
        assertTrue(children > TableCopier.MAX_KEYS_PER_PREDICATE, "needs more keys than one chunk holds");
        Path plan = tmp.resolve("chunks.yaml");
        Files.writeString(plan, "version: 1\nsample:\n  child: {every: 1}\n");
        Path out = tmp.resolve("chunks");
        Cli.Result r = dump(db, out, "--quiet", "--plan", plan.toString());
        assertEquals(0, r.exitCode(), r::toString);
        Manifest.TableEntry child = DumpCommandTest.entry(ManifestIO.read(out), "child");
        assertEquals(children, child.rows());
        List<String> lines = Files.readAllLines(out.resolve(child.file()));
        assertEquals(children + 1, lines.size());
        assertEquals(1, lines.stream().filter(l -> l.equals("id,parent_id,note")).count());
        assertEquals(children, lines.stream().skip(1).map(l -> l.substring(0, l.indexOf(','))).distinct().count());
    }

    @Test
    void tablesWhoseFileNamesWouldCollideGetDistinctFiles(TestDatabase db) throws Exception {
        TestDatabase names = db.sibling("names");
        names.execute("""
                CREATE TABLE "a/b" (id int PRIMARY KEY);
                CREATE TABLE "a_b" (id int PRIMARY KEY);
                CREATE TABLE "A_B" (id int PRIMARY KEY);
                INSERT INTO "a/b" VALUES (1);
                INSERT INTO "a_b" VALUES (2), (3);
                INSERT INTO "A_B" VALUES (4), (5), (6);
                """);
        Path out = tmp.resolve("names");
        Cli.Result r = Cli.against(names, "dump", "-o", out.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r::toString);
        Manifest m = ManifestIO.read(out);
        Set<String> files = new HashSet<>();
        for (Manifest.TableEntry t : m.tables()) {
            assertTrue(files.add(t.file().toLowerCase(java.util.Locale.ROOT)), "two tables share " + t.file());
            assertEquals(t.rows() + 1, Files.readAllLines(out.resolve(t.file())).size(), t.file());
        }
        assertEquals(3, files.size());
        assertEquals(6, m.tables().stream().mapToLong(Manifest.TableEntry::rows).sum());
    }

    @Test
    void aFullDiskFailsWithOneClearLineAndLeavesNothing(TestDatabase db) throws Exception {
        Path mount = tmp.resolve("small-disk");
        Files.createDirectories(mount);
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(m.waitFor() == 0,
                "needs a small tmpfs (root with mount rights): " + new String(m.getInputStream().readAllBytes()));
        try {
            Path out = mount.resolve("dump");
            Cli.Result r = dump(db, out, "--quiet");
            assertEquals(1, r.exitCode(), r::toString);
            assertTrue(r.err().contains("no space left on the device"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(out));
            assertEquals(List.of(), leftovers(mount, "dump"));
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }

    @Test
    void referencesIntoASkippedTableAreWrittenAsNullWhenThePlanSaysSo(TestDatabase db) throws Exception {
        TestDatabase nulls = db.sibling("nulls");
        nulls.execute("""
                CREATE TABLE secret (id int PRIMARY KEY);
                CREATE TABLE item (id int PRIMARY KEY, secret_id int REFERENCES secret, name text);
                INSERT INTO secret VALUES (1), (2);
                INSERT INTO item VALUES (1, 1, 'a'), (2, NULL, 'b'), (3, 2, 'c');
                """);
        Path plan = tmp.resolve("nulls.yaml");
        Files.writeString(plan, "version: 1\nskip: [secret]\non_skipped_parent: null\n");
        Path out = tmp.resolve("nulls");
        Cli.Result r = Cli.against(nulls, "dump", "-o", out.toString(), "--quiet", "--plan", plan.toString());
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = Files.readAllLines(out.resolve("data/public.item.csv"));
        assertEquals("id,secret_id,name", lines.get(0));
        assertEquals(List.of("1,,a", "2,,b", "3,,c"), lines.subList(1, lines.size()).stream().sorted().toList());
        assertEquals(0, DumpCommandTest.entry(ManifestIO.read(out), "secret").rows());
    }

    @Test
    void aSelectOnlyRoleCanDump(TestDatabase db) throws Exception {
        db.execute("""
                DROP ROLE IF EXISTS dump_reader;
                CREATE ROLE dump_reader LOGIN;
                GRANT USAGE ON SCHEMA public TO dump_reader;
                GRANT SELECT ON ALL TABLES IN SCHEMA public TO dump_reader;
                GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO dump_reader;
                """);
        Path out = tmp.resolve("reader");
        List<String> args = new ArrayList<>(List.of("dump", "-h", db.cluster().host(), "-p",
                Integer.toString(db.cluster().port()), "-U", "dump_reader", "-d", db.name(), "-o", out.toString(),
                "--quiet"));
        Cli.Result r = Cli.run(java.util.Map.of(), args);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(DumpCommandTest.entry(ManifestIO.read(out), "child").rows() > 0);
        assertTrue(Files.readString(out.resolve("schema/pre-data.sql")).contains("CREATE TABLE public.child"));
    }

    @Test
    void worksWhenTheDatabaseDefaultsToReadOnlyTransactions(TestDatabase db) throws Exception {
        TestDatabase ro = db.sibling("readonly");
        ro.execute("""
                CREATE TABLE t (id int PRIMARY KEY, v text);
                INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g;
                """);
        ro.execute("ALTER DATABASE " + io.pgsubset.sql.Ident.quote(ro.name())
                + " SET default_transaction_read_only = on");
        Path out = tmp.resolve("readonly");
        Cli.Result r = Cli.against(ro, "dump", "-o", out.toString(), "--quiet", "--jobs", "2");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(100, DumpCommandTest.entry(ManifestIO.read(out), "t").rows());
    }

    @Test
    void leavesTheSourceUnchanged(TestDatabase db) throws Exception {
        String state = """
                SELECT (SELECT string_agg(c.oid || ':' || c.relname || ':' || c.relkind::text, ',' ORDER BY c.oid)
                          FROM pg_class c) || '|' ||
                       (SELECT md5(string_agg(x::text, ',' ORDER BY x.id)) FROM parent x) || '|' ||
                       (SELECT md5(string_agg(x::text, ',' ORDER BY x.id)) FROM child x) || '|' ||
                       (SELECT last_value || ':' || is_called FROM parent_id_seq)""";
        String tuples = """
                SELECT tup_inserted || ':' || tup_updated || ':' || tup_deleted FROM pg_stat_database
                 WHERE datname = current_database()""";
        // the next transaction id, read without taking one: any write anywhere in the cluster
        // (a row, a temporary table, a sequence, a large object) would take one
        String nextXid = "SELECT pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text";
        awaitSessionsGone(db);
        String before = db.queryValue(state);
        String tuplesBefore = db.queryValue(tuples);
        String xidBefore = db.queryValue(nextXid);
        Path out = tmp.resolve("unchanged");
        Cli.Result r = dump(db, out, "--quiet", "--jobs", "2", "--compress");
        assertEquals(0, r.exitCode(), r::toString);
        awaitSessionsGone(db);
        assertEquals(xidBefore, db.queryValue(nextXid), "the dump took a transaction id: it wrote");
        assertEquals(before, db.queryValue(state));
        assertEquals(tuplesBefore, db.queryValue(tuples), "no tuple was inserted, updated or deleted");
    }

    /**
     * Backends flush their statistics on exit: waits until no other session is connected to the
     * database (autovacuum is off in the test cluster), instead of sleeping for a fixed time.
     */
    private static void awaitSessionsGone(TestDatabase db) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String others = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND pid <> pg_backend_pid()";
        while (db.queryLong(others) > 0) {
            assertTrue(System.nanoTime() < deadline, "sessions still open after 30 s");
            Thread.sleep(20);
        }
    }

    @Test
    void sigintRemovesThePartialDumpAndExits130(TestDatabase db) throws Exception {
        Path out = tmp.resolve("interrupted");
        Path log = tmp.resolve("interrupted.log");
        Process p = startSlowDump(db, out, log);
        Path partial = tmp.resolve(".interrupted.pgsubset-partial-" + p.pid());
        awaitFile(partial.resolve("data/public.child.csv"), p, log);
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dump did not stop after SIGINT");
        assertEquals(130, p.exitValue(), () -> text(log));
        assertFalse(Files.exists(out), "no dump directory after an interrupt");
        assertEquals(List.of(), leftovers(tmp, "interrupted"));
        assertTrue(text(log).contains("interrupted"), () -> text(log));
    }

    @Test
    void theNextRunRemovesWhatAKilledRunLeft(TestDatabase db) throws Exception {
        Path out = tmp.resolve("killed");
        Path log = tmp.resolve("killed.log");
        Process p = startSlowDump(db, out, log);
        Path partial = tmp.resolve(".killed.pgsubset-partial-" + p.pid());
        awaitFile(partial.resolve("data/public.child.csv"), p, log);
        p.destroyForcibly();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(Files.isDirectory(partial), "SIGKILL leaves the partial directory");
        assertFalse(Files.exists(out));
        Cli.Result r = dump(db, out, "--quiet");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of(), leftovers(tmp, "killed"));
        assertTrue(Files.exists(out.resolve("manifest.json")));
    }

    /** pgsubset in a JVM of its own, with a pg_dump that waits 30 s before it starts, so the dump is caught midway. */
    private static Process startSlowDump(TestDatabase db, Path out, Path log) throws IOException {
        Path slow = tmp.resolve("slow-pg_dump");
        if (!Files.exists(slow)) {
            Files.writeString(slow, """
                    #!/bin/sh
                    if [ "$1" = "--version" ]; then exec pg_dump --version; fi
                    sleep 30
                    exec pg_dump "$@"
                    """);
            assertTrue(slow.toFile().setExecutable(true));
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.pgsubset.cli.Main", "dump"));
        cmd.addAll(db.connectionArgs());
        cmd.addAll(List.of("-o", out.toString(), "--pg-dump", slow.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitFile(Path file, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(file)) {
            assertTrue(p.isAlive(), () -> "dump ended early: " + text(log));
            assertTrue(System.nanoTime() < deadline, () -> "no " + file + " after 60 s: " + text(log));
            Thread.sleep(50);
        }
    }

    static List<Path> leftovers(Path parent, String name) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(p -> p.getFileName().toString().startsWith("." + name + ".pgsubset-")).toList();
        }
    }

    static String text(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e.getMessage() + ")";
        }
    }
}
