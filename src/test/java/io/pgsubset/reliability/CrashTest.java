package io.pgsubset.reliability;

import io.pgsubset.testing.Cli;
import io.pgsubset.testing.CliProcess;
import io.pgsubset.testing.DbState;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guarantee 5 (safe), for dumps: however a dump ends before it is complete (SIGKILL at any point,
 * SIGINT, a full disk), there is never a directory at the output path that looks like a dump;
 * what a killed run leaves is recognisably a partial dump, restore refuses it, and the next run
 * removes it.
 */
@PgTest
class CrashTest {
    @BeforeAll
    static void fixture(TestDatabase db) {
        db.execute("""
                CREATE TABLE parent (id int PRIMARY KEY, name text);
                CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent, v text);
                CREATE TABLE big (id bigint PRIMARY KEY, payload text);
                INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 1000) g;
                INSERT INTO child SELECT g, 1 + g % 1000, 'c' || g FROM generate_series(1, 5000) g;
                INSERT INTO big SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 150000) g;
                """);
    }

    private static CliProcess startDump(TestDatabase db, Path out, String shellPrefix) {
        List<String> args = new ArrayList<>(List.of("dump"));
        args.addAll(db.connectionArgs());
        args.addAll(List.of("-o", out.toString(), "--jobs", "2"));
        return CliProcess.start(Map.of(), args, shellPrefix);
    }

    /** Where the killed dump was when it died, as the file system shows it. */
    private record KillPoint(String name, Predicate<Path> reached) {
    }

    private static List<KillPoint> killPoints() {
        List<KillPoint> points = new ArrayList<>(List.of(
                new KillPoint("partial directory created", dir -> !leftovers(dir).isEmpty()),
                new KillPoint("schema written", dir -> anyFile(dir, f -> f.endsWith("pre-data.sql"))),
                new KillPoint("1 MB of data written", dir -> anyFile(dir, f -> f.toString().contains("big")
                        && size(f) > 1_000_000))));
        if (Boolean.getBoolean("pgsubset.long")) {
            points.add(new KillPoint("at start", dir -> true));
            points.add(new KillPoint("first data file begun", dir -> anyFile(dir,
                    f -> f.toString().contains("data/") && size(f) > 0)));
            points.add(new KillPoint("5 MB of data written", dir -> anyFile(dir,
                    f -> f.toString().contains("big") && size(f) > 5_000_000)));
            for (int ms : new int[] {300, 700, 1100, 1500, 1900, 2300, 2700, 3100}) {
                long[] first = {0};
                points.add(new KillPoint(ms + " ms after the partial directory", dir -> {
                    if (leftovers(dir).isEmpty()) {
                        return false;
                    }
                    if (first[0] == 0) {
                        first[0] = System.nanoTime();
                    }
                    return System.nanoTime() - first[0] > ms * 1_000_000L;
                }));
            }
        }
        return points;
    }

    @Test
    void killedDumpNeverLeavesADirectoryThatLooksComplete(TestDatabase db, @TempDir Path tmp) throws Exception {
        // the next run is a quick one without the big table: it only has to find and remove leftovers
        Path quick = Dumps.plan(tmp, "version: 1\nskip: [big]\n");
        int killedWithLeftovers = 0;
        List<KillPoint> points = killPoints();
        for (KillPoint point : points) {
            Path parent = Files.createDirectories(tmp.resolve(point.name().replace(' ', '_')));
            Path out = parent.resolve("out");
            try (CliProcess dump = startDump(db, out, "")) {
                awaitPoint(dump, parent, point);
                dump.kill();
            }
            if (Files.exists(out)) {
                // the kill came too late: the dump finished, and then it must be whole
                assertTrue(Files.exists(out.resolve("manifest.json")), point + ": " + out + " without manifest");
                continue;
            }
            List<Path> left = leftovers(parent);
            for (Path partial : left) {
                killedWithLeftovers++;
                assertTrue(partial.getFileName().toString().startsWith(".out.pgsubset-"),
                        point + ": unrecognisable leftover " + partial);
                assertFalse(Files.exists(partial.resolve("manifest.json")), point + ": a partial dump with a manifest");
                Cli.Result refused = Dumps.restore(db.sibling("never"), partial);
                Dumps.assertOneClearError(refused, 2); // a partial dump has no manifest: a damaged dump
            }
            Cli.Result again = Dumps.dump(db, out, "--plan", quick.toString());
            assertEquals(0, again.exitCode(), again::toString);
            assertEquals(List.of(), leftovers(parent), point + ": the next run did not clean up");
        }
        // timed kills may come after the dump finished; the three observed points always hit it
        assertTrue(killedWithLeftovers >= 3, "too few kills hit a running dump: " + killedWithLeftovers);
    }

    /** SIGINT (Ctrl-C) exits 130; SIGTERM exits 143 as the JVM does; both remove the partial dump. */
    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "TERM"})
    void interruptedDumpRemovesItsFiles(String signal, TestDatabase db, @TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        try (CliProcess dump = startDump(db, out, "")) {
            awaitPoint(dump, tmp, new KillPoint("data begun", dir -> anyFile(dir,
                    f -> f.toString().contains("big") && size(f) > 0)));
            assertTrue(dump.isAlive(), "the dump ended before the signal");
            if (signal.equals("INT")) {
                dump.interrupt();
            } else {
                dump.terminate();
            }
            assertEquals(signal.equals("INT") ? 130 : 143, dump.waitFor(Duration.ofSeconds(60)), dump::toString);
            assertFalse(Files.exists(out), "an interrupted dump wrote " + out);
            assertEquals(List.of(), leftovers(tmp), "an interrupted dump left files behind");
            assertFalse(dump.err().contains("\tat "), dump::toString);
            assertTrue(dump.err().toLowerCase().contains("interrupted"), dump::toString);
        }
    }

    /**
     * {@code dump --force} replaces an earlier dump only once the new one is complete: a run that
     * fails midway (pg_dump dies after the data has started) leaves the earlier dump as it was.
     */
    @Test
    void aFailingForcedDumpKeepsTheEarlierDump(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Path quick = Dumps.plan(tmp, "version: 1\nskip: [big]\n");
        Dumps.dumpOk(db, out, "--plan", quick.toString());
        String before = Dumps.allText(out);
        Path failing = tmp.resolve("failing-pg_dump");
        Files.writeString(failing, """
                #!/bin/sh
                if [ "$1" = "--version" ]; then exec '%s' --version; fi
                sleep 1
                echo "pg_dump: error: the disk caught fire" >&2
                exit 1
                """.formatted(io.pgsubset.testing.PgBinaries.find().resolve("pg_dump")));
        assertTrue(failing.toFile().setExecutable(true));
        Cli.Result r = Dumps.dump(db, out, "--force", "--pg-dump", failing.toString());
        Dumps.assertOneClearError(r, 1);
        assertTrue(r.err().contains("the disk caught fire"), r::toString);
        assertEquals(before, Dumps.allText(out), "a failed --force changed the earlier dump");
        assertEquals(List.of(), leftovers(tmp), "a failed --force left files behind");
    }

    @Test
    void fileSizeLimitGivesOneClearMessageAndNothingThatLooksComplete(TestDatabase db, @TempDir Path tmp) {
        Path out = tmp.resolve("out");
        try (CliProcess dump = startDump(db, out, "ulimit -f 2048;")) {
            int code = dump.waitFor(Duration.ofSeconds(120));
            Cli.Result r = new Cli.Result(code, dump.out(), dump.err());
            Dumps.assertOneClearError(r, 1);
            assertTrue(r.err().contains("File too large") || r.err().contains("No space left"), r::toString);
            assertFalse(Files.exists(out), "a failed dump wrote " + out);
            assertEquals(List.of(), leftovers(tmp), "a failed dump left files behind");
        }
    }

    /**
     * {@code restore --replace} SIGKILLed while it loads (just after creating the new database, and
     * while COPY runs): the database it replaces keeps its content and name; the next --replace
     * removes the leftover and completes.
     */
    @Test
    void killedReplaceLeavesTheTargetUntouched(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("dump");
        Dumps.dumpOk(db, out);
        TestDatabase dev = db.sibling("dev");
        dev.execute("CREATE TABLE keep_me (id int PRIMARY KEY); INSERT INTO keep_me SELECT generate_series(1, 10)");
        DbState before = DbState.of(dev);
        String fresh = dev.name() + "__pgsubset_new";
        List<String> stages = List.of(
                "SELECT count(*) FROM pg_catalog.pg_database WHERE datname = '" + fresh + "'",
                "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = '" + fresh
                        + "' AND query ILIKE 'COPY%'");
        int hits = 0;
        for (String stage : stages) {
            List<String> args = new ArrayList<>(List.of("restore", out.toString(), "-h", db.cluster().host(), "-p",
                    Integer.toString(db.cluster().port()), "-U", "postgres", "--replace", dev.name()));
            try (CliProcess restore = CliProcess.start(Map.of(), args)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (restore.isAlive() && db.queryLong(stage) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                if (restore.isAlive()) {
                    hits++;
                }
                restore.kill();
            }
            if (db.queryLong("SELECT count(*) FROM pg_catalog.pg_database WHERE datname LIKE '"
                    + dev.name() + "__pgsubset_old%'") > 0) {
                continue; // the kill came after the swap: a complete replace, checked below
            }
            assertEquals(before, DbState.of(dev), stage);
        }
        assertTrue(hits >= 1, "no kill hit a running restore");

        Cli.Result again = Cli.run(Map.of(), List.of("restore", out.toString(), "-h", db.cluster().host(), "-p",
                Integer.toString(db.cluster().port()), "-U", "postgres", "--replace", dev.name(), "--drop-old"));
        assertEquals(0, again.exitCode(), again::toString);
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_catalog.pg_database WHERE datname = '" + fresh + "'"),
                "the leftover of the killed run is gone");
        Cli.Result verified = Dumps.verify(dev, out);
        assertEquals(0, verified.exitCode(), verified::toString);
    }

    /** Waits until the running dump reaches {@code point}; fails if it ends first without reaching it. */
    private static void awaitPoint(CliProcess dump, Path parent, KillPoint point) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!point.reached().test(parent)) {
            if (!dump.isAlive()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the dump did not reach '" + point.name() + "' in 60 s\n" + dump);
            }
            Thread.sleep(2);
        }
    }

    /** Hidden siblings a dump to {@code parent/out} leaves while it runs. */
    private static List<Path> leftovers(Path parent) {
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".out")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean anyFile(Path parent, Predicate<Path> test) {
        for (Path dir : leftovers(parent)) {
            try (Stream<Path> files = Files.walk(dir)) {
                Optional<Path> hit = files.filter(Files::isRegularFile).filter(test).findAny();
                if (hit.isPresent()) {
                    return true;
                }
            } catch (IOException | UncheckedIOException e) {
                // the dump renamed or removed the directory while we looked: not reached yet
                continue;
            }
        }
        return false;
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }
}
