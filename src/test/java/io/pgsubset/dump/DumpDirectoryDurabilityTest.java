package io.pgsubset.dump;

import io.pgsubset.files.Durable;
import io.pgsubset.format.DumpLayout;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.tools.PgProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "dump written" means on disk: every file and directory of the dump is synced before the partial
 * directory gets its name, and the rename itself after it ({@link DumpDirectory#commit}).
 */
class DumpDirectoryDurabilityTest {
    /** One sync: what, and whether DIR existed yet when it ran. */
    record Call(String kind, Path path, boolean renamed) {
    }

    /** Records the syncs instead of making them; optionally fails on one path. */
    static final class Recording implements Durable.Syncer {
        final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        final Path target;
        final Optional<String> failOn;

        Recording(Path target, Optional<String> failOn) {
            this.target = target;
            this.failOn = failOn;
        }

        @Override
        public void file(Path file) throws IOException {
            record("file", file);
        }

        @Override
        public void directory(Path dir) throws IOException {
            record("directory", dir);
        }

        private void record(String kind, Path path) throws IOException {
            if (failOn.isPresent() && path.getFileName().toString().equals(failOn.get())) {
                throw new IOException("Input/output error");
            }
            calls.add(new Call(kind, path, Files.exists(target)));
        }
    }

    /** The files of a small dump with a large object, written into the partial directory. */
    private static void writeDump(Path dir) throws IOException {
        Files.writeString(dir.resolve(DumpLayout.PRE_DATA), "CREATE TABLE t (id int);\n");
        Files.writeString(dir.resolve(DumpLayout.POST_DATA), "\n");
        Files.writeString(dir.resolve(DumpLayout.SEQUENCES), "\n");
        Files.writeString(dir.resolve(DumpLayout.PLAN), "version: 1\n");
        Files.writeString(dir.resolve(DumpLayout.RESTORE_SCRIPT), "#!/bin/sh\n");
        Files.writeString(dir.resolve(DumpLayout.DATA_DIR).resolve("public.t.csv"), "id\n1\n");
        Files.createDirectories(dir.resolve(DumpLayout.LARGE_OBJECTS_DIR));
        Files.writeString(dir.resolve(DumpLayout.LARGE_OBJECTS_DIR).resolve("16401"), "blob");
        Files.writeString(dir.resolve(DumpLayout.MANIFEST), "{}\n");
    }

    @Test
    void everyFileAndDirectoryIsSyncedBeforeTheRenameAndTheParentAfterIt(@TempDir Path tmp) throws IOException {
        Path target = tmp.resolve("out");
        Recording syncs = new Recording(target, Optional.empty());
        try (DumpDirectory dir = DumpDirectory.create(target, false, syncs)) {
            writeDump(dir.path());
            dir.commit();
        }
        assertTrue(Files.isRegularFile(target.resolve(DumpLayout.MANIFEST)));
        Map<Boolean, List<Call>> byRename = syncs.calls.stream().collect(Collectors.partitioningBy(Call::renamed));
        Set<String> before = byRename.get(false).stream()
                .map(c -> c.kind() + " " + dirRelative(c.path(), target)).collect(Collectors.toSet());
        assertEquals(Set.of("file schema/pre-data.sql", "file schema/post-data.sql", "file sequences.sql",
                "file plan.yaml", "file restore.sh", "file manifest.json", "file large-objects/16401",
                "directory .", "directory schema", "directory data", "directory large-objects"), before,
                "every file but the data files (synced as each copy ended), and every directory, before the rename");
        assertEquals(List.of(new Call("directory", tmp.toAbsolutePath(), true)), byRename.get(true),
                "the rename is made durable by a sync of the parent directory, after it");
    }

    /** A path in the partial directory, relative to it ("." for itself), by the name the dump has once renamed. */
    private static String dirRelative(Path path, Path target) {
        Path partial = path;
        while (partial.getParent() != null && !partial.getFileName().toString().startsWith("." + target.getFileName())) {
            partial = partial.getParent();
        }
        String relative = partial.relativize(path).toString();
        return relative.isEmpty() ? "." : relative;
    }

    @Test
    void aFailedSyncFailsTheDumpAndLeavesNoDirectory(@TempDir Path tmp) throws IOException {
        Path target = tmp.resolve("out");
        Recording syncs = new Recording(target, Optional.of("manifest.json"));
        PgsubsetException e;
        try (DumpDirectory dir = DumpDirectory.create(target, false, syncs)) {
            writeDump(dir.path());
            e = assertThrows(PgsubsetException.class, dir::commit);
        }
        assertTrue(e.getMessage().contains("could not sync") && e.getMessage().contains("manifest.json")
                && e.getMessage().contains("Input/output error"), e.getMessage());
        assertFalse(Files.exists(target), "never renamed: DIR does not exist or is a whole dump");
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "the partial directory is removed");
        }
    }

    @Test
    void theRealSyncsWorkOnFilesAndDirectories(@TempDir Path tmp) throws IOException {
        Path target = tmp.resolve("out");
        try (DumpDirectory dir = DumpDirectory.create(target, false)) {
            writeDump(dir.path());
            dir.commit();
        }
        assertEquals("{}\n", Files.readString(target.resolve(DumpLayout.MANIFEST)));
    }

    @Test
    void pgDumpLeavesItsTemporaryArchiveUnsynced() {
        for (int major : List.of(9, 10, 15)) {
            PgProgram pgDump = new PgProgram("pg_dump", Path.of("/usr/bin/pg_dump"), major, "pg_dump " + major);
            SchemaDump.Options o = new SchemaDump.Options(pgDump, pgDump, Map.of(), "00000003-00000002-1",
                    List.of("public"), List.of(), false, Optional.empty(), Optional.empty());
            List<String> argv = SchemaDump.dumpArgv(o, Path.of("/tmp/x/schema/.schema.pgdump"));
            // the archive is deleted once pg_restore has read it; pg_dump 9.x has no --no-sync
            assertEquals(major >= 10, argv.contains("--no-sync"), argv::toString);
        }
    }
}
