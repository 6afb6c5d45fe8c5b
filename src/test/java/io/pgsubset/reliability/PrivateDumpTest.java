package io.pgsubset.reliability;

import io.pgsubset.testing.Cli;
import io.pgsubset.testing.CliProcess;
import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dump holds production rows: every directory and file of it, the partial directory and its
 * temporary files while the dump runs included, is its owner's only (0700 / 0600, restore.sh 0700)
 * whatever the umask. The dump runs in its own JVM under the umask of the test, as a user's shell
 * would start it; a sampler walks the output's parent directory all along.
 */
@PgTest
class PrivateDumpTest {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    @BeforeAll
    static void fixture(TestDatabase db) {
        db.execute("""
                CREATE TABLE parent (id int PRIMARY KEY, name text);
                CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent, v text);
                CREATE SEQUENCE counter;
                CREATE TABLE big (id bigint PRIMARY KEY, payload text);
                INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 1000) g;
                INSERT INTO child SELECT g, 1 + g % 1000, 'c' || g FROM generate_series(1, 5000) g;
                INSERT INTO big SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 150000) g;
                """);
    }

    @Test
    void underUmask022EveryFileOfTheDumpIsTheOwnersOnlyFromTheStart(TestDatabase db, @TempDir Path tmp) {
        assertPrivateDump(db, tmp, "022");
    }

    @Test
    void underUmask000EveryFileOfTheDumpIsTheOwnersOnlyFromTheStart(TestDatabase db, @TempDir Path tmp) {
        assertPrivateDump(db, tmp, "000", "--compress");
    }

    /**
     * Dumps with --jobs 2 and 1 MB block ranges (so the big table is written through temporary part
     * files too) under {@code umask}, sampling every path below the output's parent while it runs.
     */
    private static void assertPrivateDump(TestDatabase db, Path tmp, String umask, String... more) {
        Path out = tmp.resolve("out");
        List<String> args = new ArrayList<>(List.of("dump"));
        args.addAll(db.connectionArgs());
        args.addAll(List.of("-o", out.toString(), "--jobs", "2", "--part-size", "1MB", "-q"));
        args.addAll(List.of(more));
        Map<String, String> seen = new TreeMap<>();
        try (CliProcess dump = CliProcess.start(Map.of(), args, "umask " + umask + ";")) {
            while (dump.isAlive()) {
                sample(tmp, seen);
                pause();
            }
            assertEquals(0, dump.waitFor(Duration.ofSeconds(10)), dump::toString);
        }
        // what the sampler saw of the partial directory: it must have watched the dump at work
        List<String> partial = seen.keySet().stream().filter(p -> p.startsWith(".out.pgsubset-partial-")).toList();
        assertTrue(partial.stream().anyMatch(p -> p.contains("/data/public.big.csv")), () -> "sampled only " + seen);
        assertTrue(partial.stream().anyMatch(p -> p.endsWith("/schema")), () -> "sampled only " + seen);
        Map<String, String> wider = new TreeMap<>(seen);
        wider.values().removeIf(mode -> mode.endsWith("------"));
        assertEquals(Map.of(), wider, "paths group or others could use while the dump ran");

        Map<String, String> modes = new TreeMap<>();
        sample(tmp, modes);
        Map<String, String> expected = new TreeMap<>();
        for (String path : modes.keySet()) {
            boolean directory = Files.isDirectory(tmp.resolve(path));
            expected.put(path, directory || path.equals("out/restore.sh") ? "rwx------" : "rw-------");
        }
        assertEquals(expected, modes, "modes of the finished dump");
        String gz = more.length > 0 ? ".csv.gz" : ".csv";
        assertTrue(modes.keySet().containsAll(List.of("out", "out/manifest.json", "out/plan.yaml", "out/restore.sh",
                "out/sequences.sql", "out/schema", "out/schema/pre-data.sql", "out/schema/post-data.sql", "out/data",
                "out/data/public.big" + gz)), modes::toString);
    }

    /** Records the mode of every path below {@code root} (relative names); paths may vanish meanwhile. */
    private static void sample(Path root, Map<String, String> modes) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> !p.equals(root)).forEach(p -> {
                try {
                    PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    String mode = PosixFilePermissions.toString(a.permissions());
                    String name = root.relativize(p).toString();
                    // keep the widest mode a path was seen with
                    modes.merge(name, mode, (was, now) -> hasGroupOrOthers(was) ? was : now);
                } catch (IOException e) {
                    // removed or renamed between listing and reading: the next round sees its successor
                    return;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // the partial directory was renamed or removed while walking: sample again
            return;
        }
    }

    /** A breath between samples, so the sampler does not take a core from the dump it watches. */
    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean hasGroupOrOthers(String mode) {
        return PosixFilePermissions.fromString(mode).stream().anyMatch(GROUP_OR_OTHERS::contains);
    }

    @Test
    void restoreShWorksAsTheOwnersOnlyScriptAndItsTemporaryFileIsPrivate(TestDatabase db, @TempDir Path tmp)
            throws Exception {
        Path out = tmp.resolve("out");
        Dumps.dumpOk(db, out, "-q");
        TestDatabase target = db.sibling("private_restore");
        Path scratch = Files.createDirectory(tmp.resolve("scratch"));
        // started directly (not "bash restore.sh"): the owner's x bit is enough; TMPDIR shows its temporary file
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "umask 000; exec \"$@\"", "restore",
                out.resolve("restore.sh").toString(), "-h", target.cluster().host(),
                "-p", Integer.toString(target.cluster().port()), "-U", PgCluster.SUPERUSER,
                "-d", target.name()).redirectErrorStream(true);
        pb.environment().put("TMPDIR", scratch.toString());
        Process p = pb.start();
        Map<String, String> seen = new TreeMap<>();
        while (p.isAlive()) {
            sample(scratch, seen);
            pause();
        }
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
        assertTrue(seen.keySet().stream().anyMatch(n -> n.startsWith("pgsubset-restore.")), seen::toString);
        seen.values().removeIf(mode -> mode.endsWith("------"));
        assertEquals(Map.of(), seen, "restore.sh's temporary files");
        Cli.Result verified = Dumps.verify(target, out);
        assertEquals(0, verified.exitCode(), verified::toString);
    }
}
