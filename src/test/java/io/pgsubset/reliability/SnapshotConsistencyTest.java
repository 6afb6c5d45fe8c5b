package io.pgsubset.reliability;

import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;
import io.pgsubset.dump.SourceConnection;
import io.pgsubset.dump.DumpListener;
import io.pgsubset.dump.DumpRequest;
import io.pgsubset.dump.Dumper;
import io.pgsubset.dump.PlanSource;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.plan.PlanFile;
import io.pgsubset.plan.PlanLoader;
import io.pgsubset.plan.Plans;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import io.pgsubset.tools.PgPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guarantee 2 (consistent), deterministically: the dump stops right after it has exported its
 * snapshot, and again when its first table starts copying (after the closure); each time the test
 * commits writes to the source that change which rows the plan selects (a parent deleted, so every
 * later row's number shifts; a foreign key moved to another parent; a new parent and
 * child; every child's note changed). The dump must show the state before the first pause,
 * exactly: the same rows, file by file, as a dump made before any write.
 */
@PgTest
class SnapshotConsistencyTest {
    private static final String PLAN = """
            version: 1
            sample:
              parent:
                every: 4
            """;

    private static final String AT_SNAPSHOT = """
            DELETE FROM parent WHERE id = 1;
            UPDATE child SET parent_id = 5 WHERE id = 3;
            UPDATE parent SET name = 'renamed' WHERE id = 4;
            INSERT INTO parent VALUES (41, 'new');
            INSERT INTO child VALUES (201, 41, 'new');
            """;

    private static final String AT_FIRST_COPY = """
            DELETE FROM parent WHERE id = 8;
            UPDATE child SET parent_id = 2 WHERE id = 12;
            UPDATE child SET note = note || '!';
            """;

    @Test
    void writesCommittedWhileTheDumpRunsAreNotInIt(TestDatabase db, @TempDir Path tmp) throws Exception {
        db.execute("""
                CREATE TABLE parent (id int PRIMARY KEY, name text);
                CREATE TABLE child (id int PRIMARY KEY,
                                    parent_id int NOT NULL REFERENCES parent ON DELETE CASCADE, note text);
                CREATE INDEX ON child (parent_id);
                INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 40) g;
                INSERT INTO child SELECT g, 1 + g % 40, 'c' || g FROM generate_series(1, 200) g;
                """);
        Path plan = Dumps.plan(tmp, PLAN);
        Map<String, List<String>> before = content(dump(db, tmp.resolve("before"), plan, DumpListener.NONE));

        Writer writer = new Writer(db);
        Map<String, List<String>> during = content(dump(db, tmp.resolve("during"), plan, writer));
        assertNull(writer.failure.get(), () -> "a write failed: " + writer.failure.get());
        assertTrue(writer.atSnapshot.get() && writer.atFirstCopy.get(),
                "the dump did not pause at both points (snapshot " + writer.atSnapshot + ", first copy "
                        + writer.atFirstCopy + "): the listener seam changed");

        Map<String, List<String>> after = content(dump(db, tmp.resolve("after"), plan, DumpListener.NONE));
        for (String table : List.of("public.parent", "public.child")) {
            assertNotEquals(before.get(table), after.get(table), table + ": the writes change what the plan selects");
            assertEquals(before.get(table), during.get(table), table + ": a write after the snapshot reached the dump");
        }
        assertTrue(before.get("public.child").contains("3,4,c3"), "child 3 under sampled parent 4");
        assertEquals(before, during);
    }

    /** Pauses the dump twice and commits writes on another connection meanwhile. */
    private static final class Writer implements DumpListener {
        private final TestDatabase db;
        private final AtomicBoolean atSnapshot = new AtomicBoolean();
        private final AtomicBoolean atFirstCopy = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Writer(TestDatabase db) {
            this.db = db;
        }

        @Override
        public void step(String message) {
            // the dump's first step, right after pg_export_snapshot(): see Dumper.run
            if (message.startsWith("snapshot ") && atSnapshot.compareAndSet(false, true)) {
                write(AT_SNAPSHOT);
            }
        }

        @Override
        public void tableStarted(QualifiedName table, long expectedRows) {
            if (atFirstCopy.compareAndSet(false, true)) {
                write(AT_FIRST_COPY);
            }
        }

        private void write(String sql) {
            try {
                db.execute(sql);
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    private static Path dump(TestDatabase db, Path out, Path planPath, DumpListener listener) {
        PlanFile file = PlanLoader.load(planPath);
        PlanSource plan = (conn, catalog) -> Plans.resolve(conn, file, catalog).plan();
        Connector connector = new Connector(ConnectionTarget.resolve(ConnectionOptions.none(), db.libpqEnv()));
        new Dumper(SourceConnection.of(connector), new PgPrograms(System.getenv()), Optional.empty(), listener)
                .run(DumpRequest.of(plan, PLAN, out).withJobs(2));
        return out;
    }

    /** schema.table -> rows and digest from the manifest, then the data file's records, sorted. */
    private static Map<String, List<String>> content(Path dump) {
        Manifest m = Dumps.manifest(dump);
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Manifest.TableEntry t : m.tables()) {
            try {
                List<String> lines = new java.util.ArrayList<>(List.of(t.rows() + " rows, digest " + t.rowDigest()));
                lines.addAll(Files.readAllLines(dump.resolve(t.file())).stream().skip(1).sorted().toList());
                out.put(t.schema() + "." + t.name(), lines);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
