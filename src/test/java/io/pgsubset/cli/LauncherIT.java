package io.pgsubset.cli;

import io.pgsubset.cli.Release.Run;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher as installed: bin/pgsubset of the release tarball, unpacked in a temporary
 * directory and run from /. Its class cache (a class-data-sharing archive on JDK 17 to 24, an
 * ahead-of-time cache on JDK 25 and later) goes to the user's cache directory, never into the
 * install, must speed up starts and never change what a command prints or returns, whatever state
 * the cache is in. Every test runs on the JDK running the tests (17) and, when one is installed,
 * on the newest JDK the launcher picks by itself.
 */
@PgTest
class LauncherIT {
    private static final Path ROOT = Path.of("/");

    /** A JVM for the launcher: PGSUBSET_JAVA (empty: the launcher's own choice) and its cache's suffix. */
    private record Jvm(String java, String cache) {
    }

    private static List<Jvm> jvms() throws IOException {
        List<Jvm> out = new ArrayList<>(List.of(new Jvm(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), ".jsa")));
        if (newestInstalledMajor() >= 25) {
            out.add(new Jvm("", ".aot"));
        }
        return out;
    }

    /** The newest JDK in /usr/lib/jvm, by its release file (what the launcher reads). */
    private static int newestInstalledMajor() throws IOException {
        Path jvm = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvm)) {
            return 0;
        }
        int newest = 0;
        try (Stream<Path> homes = Files.list(jvm)) {
            for (Path home : homes.toList()) {
                Path release = home.resolve("release");
                if (Files.isRegularFile(release) && Files.isExecutable(home.resolve("bin/java"))) {
                    Matcher m = Pattern.compile("JAVA_VERSION=\"(?:1\\.)?(\\d+)").matcher(Files.readString(release));
                    if (m.find()) {
                        newest = Math.max(newest, Integer.parseInt(m.group(1)));
                    }
                }
            }
        }
        return newest;
    }

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE parent (id int PRIMARY KEY, name text);
                CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);
                INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 100) g;
                INSERT INTO child SELECT g, 1 + g % 100 FROM generate_series(1, 1000) g;
                ANALYZE;
                """);
    }

    /** An install (the unpacked tarball) and the user environment the launcher runs in. */
    private record Install(Path home, Path launcher, Path cacheDir, Map<String, String> env) {
        Run run(Jvm jvm, List<String> args) throws Exception {
            List<String> argv = new ArrayList<>(List.of(launcher.toString()));
            argv.addAll(args);
            Map<String, String> all = new HashMap<>(env);
            if (!jvm.java().isEmpty()) {
                all.put("PGSUBSET_JAVA", jvm.java());
            }
            return Release.run(ROOT, all, argv);
        }

        /** The class caches (and their temporary files); not programs.tsv, the Java side's version answers. */
        List<String> caches() throws IOException {
            if (!Files.isDirectory(cacheDir)) {
                return List.of();
            }
            try (Stream<Path> s = Files.list(cacheDir)) {
                return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("programs.tsv")).sorted().toList();
            }
        }

        List<String> installedFiles() throws IOException {
            try (Stream<Path> s = Files.walk(home)) {
                return s.map(p -> home.relativize(p).toString()).sorted().toList();
            }
        }
    }

    /** The tarball unpacked under {@code dir}; the cache in XDG_CACHE_HOME, or in HOME/.cache without it. */
    private static Install install(Path dir, boolean xdg) throws Exception {
        Files.createDirectories(dir);
        Path home = Release.unpack(dir);
        Path user = Files.createDirectories(dir.resolve("user"));
        Map<String, String> env = new HashMap<>(Map.of("HOME", user.toString()));
        Path cacheDir = user.resolve(".cache/pgsubset");
        if (xdg) {
            env.put("XDG_CACHE_HOME", dir.resolve("xdg").toString());
            cacheDir = dir.resolve("xdg/pgsubset");
        }
        return new Install(home, home.resolve("bin/pgsubset"), cacheDir, env);
    }

    private static List<String> dump(TestDatabase db, Path out) {
        List<String> args = new ArrayList<>(List.of("dump", "--quiet", "--output", out.toString()));
        args.addAll(db.connectionArgs());
        return args;
    }

    private static List<String> sizes(TestDatabase db) {
        List<String> args = new ArrayList<>(List.of("sizes", "--format", "json"));
        args.addAll(db.connectionArgs());
        return args;
    }

    /** A dump's summary without what differs between two runs: its directory and its duration. */
    private static String normalized(String out, Path dir) {
        return out.replace(dir.toString(), "DIR").replaceAll("in [0-9.]+ s", "in N s")
                .replaceAll("snapshot [0-9T:.Z-]+", "snapshot S");
    }

    @Test
    void theFirstDumpWritesTheCacheInTheUsersCacheDirectoryAndLaterRunsPrintTheSame(TestDatabase db,
            @TempDir Path tmp) throws Exception {
        for (Jvm jvm : jvms()) {
            Path dir = tmp.resolve(jvm.cache().substring(1));
            Install install = install(dir, true);
            List<String> files = install.installedFiles();
            Run before = install.run(jvm, sizes(db));
            assertEquals(0, before.exitCode(), before::toString);
            Run help = install.run(jvm, List.of("dump", "--help"));
            assertEquals(0, help.exitCode(), help::toString);
            assertEquals(List.of(), install.caches(), "only a real dump writes the cache, not sizes or dump --help");

            Run first = install.run(jvm, dump(db, dir.resolve("d1")));
            assertEquals(0, first.exitCode(), first::toString);
            List<String> caches = install.caches();
            assertEquals(1, caches.size(), jvm + ": the first dump wrote one cache: " + caches);
            assertTrue(caches.get(0).endsWith(jvm.cache()), caches::toString);
            assertTrue(Files.size(install.cacheDir().resolve(caches.get(0))) > 1_000_000, jvm + ": a real cache");
            assertEquals(files, install.installedFiles(), "nothing written into the install");

            Run second = install.run(jvm, dump(db, dir.resolve("d2")));
            assertEquals(0, second.exitCode(), second::toString);
            assertEquals(first.err(), second.err());
            assertEquals(normalized(first.out(), dir.resolve("d1")), normalized(second.out(), dir.resolve("d2")));
            Run after = install.run(jvm, sizes(db));
            assertEquals(0, after.exitCode(), after::toString);
            assertEquals(before.out(), after.out(), "sizes with the cache prints what it printed without");
            assertEquals("", after.err());
            assertEquals(caches, install.caches());

            // the dump's manifest names the build, as --version does
            Run version = install.run(jvm, List.of("--version"));
            Release.assertVersionLine(version.out());
            assertTrue(Files.readString(dir.resolve("d2/manifest.json")).contains("\"" + version.out().strip() + "\""),
                    "manifest.json records " + version.out());
        }
    }

    @Test
    void aCorruptCacheIsIgnoredSilentlyAndANewJarGetsANewCache(TestDatabase db, @TempDir Path tmp) throws Exception {
        for (Jvm jvm : jvms()) {
            Path dir = tmp.resolve(jvm.cache().substring(1));
            Install install = install(dir, false);
            Run first = install.run(jvm, dump(db, dir.resolve("d1")));
            assertEquals(0, first.exitCode(), first::toString);
            List<String> caches = install.caches();
            assertEquals(1, caches.size(), jvm + ": HOME/.cache/pgsubset holds the cache without XDG_CACHE_HOME");
            Path cache = install.cacheDir().resolve(caches.get(0));
            cache.toFile().setWritable(true);
            Files.writeString(cache, "not a class cache");
            Run corrupt = install.run(jvm, sizes(db));
            assertEquals(0, corrupt.exitCode(), corrupt::toString);
            assertEquals("", corrupt.err(), jvm + ": a corrupt cache must not print warnings");
            assertTrue(corrupt.out().startsWith("{") || corrupt.out().startsWith("["), corrupt.out());

            // an upgrade (another build's stamp beside the jar) gets its own cache, which replaces the old one
            Files.writeString(install.home().resolve("lib/pgsubset.build"), Release.VERSION + "-upgraded-1\n");
            Run upgraded = install.run(jvm, dump(db, dir.resolve("d2")));
            assertEquals(0, upgraded.exitCode(), upgraded::toString);
            assertEquals("", upgraded.err());
            List<String> now = install.caches();
            assertEquals(1, now.size(), now::toString);
            assertNotEquals(caches, now, jvm + ": the new jar's cache replaced the old one");
            assertTrue(Files.size(install.cacheDir().resolve(now.get(0))) > 1_000_000);
        }
    }

    @Test
    void aFailedDumpLeavesNoCache(TestDatabase db, @TempDir Path tmp) throws Exception {
        for (Jvm jvm : jvms()) {
            Path dir = tmp.resolve(jvm.cache().substring(1));
            Install install = install(dir, true);
            List<String> args = dump(db, dir.resolve("d"));
            args.add("--plan");
            args.add(tmp.resolve("missing.yaml").toString());
            Run failed = install.run(jvm, args);
            assertEquals(2, failed.exitCode(), failed::toString);
            assertEquals(List.of(), install.caches(), "no cache and no half-written file");
        }
    }

    @Test
    void withoutAWritableCacheDirectoryCommandsRunAsUsual(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("nocache");
        Install install = install(dir, true);
        // XDG_CACHE_HOME is a file: the cache directory cannot be made
        Files.writeString(dir.resolve("xdg"), "");
        Jvm jvm = jvms().get(jvms().size() - 1);
        Run dump = install.run(jvm, dump(db, dir.resolve("d")));
        assertEquals(0, dump.exitCode(), dump::toString);
        assertEquals("", dump.err());
        assertTrue(Files.isRegularFile(dir.resolve("d/manifest.json")));
        assertFalse(Files.isDirectory(dir.resolve("xdg")));
    }
}
