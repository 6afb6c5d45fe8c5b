package io.pgsubset.cli;

import io.pgsubset.cli.Release.Run;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What `./mvnw package` ships, checked from outside the source tree as an administrator meets it:
 * the release tarball unpacked in a temporary directory and run from /, its manual pages rendered
 * by man(1), its completion in bash, and the Debian package's contents, metadata, lintian's
 * verdict and (as root, or when CI=true) a real dpkg -i / dpkg -r.
 */
class PackagingIT {
    private static final Path ROOT = Path.of("/");

    @TempDir
    static Path unpacked;
    private static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        home = Release.unpack(unpacked);
    }

    @Test
    void theTarballRunsFromAnyDirectoryAndThroughASymlink(@TempDir Path tmp) throws Exception {
        for (String file : List.of("bin/pgsubset", "lib/pgsubset.jar", "lib/pgsubset.build", "share/man/man1/pgsubset.1",
                "share/bash-completion/completions/pgsubset", "README.md", "LICENSE", "NOTICE")) {
            assertTrue(Files.isRegularFile(home.resolve(file)), file);
        }
        assertTrue(Files.isExecutable(home.resolve("bin/pgsubset")));
        assertTrue(Files.readString(home.resolve("LICENSE")).contains("Apache License\n                           Version 2.0"));

        Run direct = Release.run(ROOT, Map.of(), List.of(home.resolve("bin/pgsubset").toString(), "--version"));
        assertEquals(0, direct.exitCode(), direct::toString);
        assertEquals("", direct.err());
        Release.assertVersionLine(direct.out());

        // as /usr/bin/pgsubset reaches the Debian package's launcher: a relative link from elsewhere
        Path links = Files.createDirectories(tmp.resolve("links"));
        Files.createSymbolicLink(links.resolve("pgsubset"), links.relativize(home.resolve("bin/pgsubset")));
        Path chained = Files.createSymbolicLink(tmp.resolve("pgsubset-link"), links.resolve("pgsubset"));
        Run linked = Release.run(ROOT, Map.of(), List.of(chained.toString(), "--version"));
        assertEquals(0, linked.exitCode(), linked::toString);
        assertEquals(direct.out(), linked.out());
    }

    @Test
    void everyManualPageRendersWithoutWarningsAndListsItsCommandsOptions() throws Exception {
        Assumptions.assumeTrue(Release.onPath("man"), "man is not installed: the manual pages are not rendered");
        Path pages = home.resolve("share/man/man1");
        PrintWriter nowhere = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Set<String> expected = new TreeSet<>();
        for (CommandLine command : ManPage.commands(Main.commandLine(new CliContext(nowhere, nowhere, Map.of())))) {
            String name = ManPage.pageName(command);
            expected.add(name + ".1");
            Run man = Release.run(ROOT, Map.of("MANWIDTH", "100"),
                    List.of("man", "--warnings", "-E", "UTF-8", "-l", "-P", "cat", pages.resolve(name + ".1").toString()));
            assertEquals(0, man.exitCode(), man::toString);
            assertEquals("", man.err(), name + ": groff warnings");
            String text = man.out().replaceAll(" +", " ");
            assertTrue(text.contains("NAME\n " + name + " - "), name + ": " + text);
            assertTrue(text.contains("SYNOPSIS\n " + command.getCommandSpec().qualifiedName() + " "), text);
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (!option.hidden()) {
                    assertTrue(text.contains(option.longestName()), name + " lacks " + option.longestName());
                }
            }
            command.getSubcommands().keySet().forEach(sub -> assertTrue(text.contains(sub), name + " lacks " + sub));
        }
        try (Stream<Path> files = Files.list(pages)) {
            assertEquals(expected, files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)),
                    "one page per command, no other");
        }
    }

    @Test
    void bashCompletesCommandsAndSubcommands() throws Exception {
        Path script = home.resolve("share/bash-completion/completions/pgsubset");
        assertEquals(List.of("dump"), complete(script, "pgsubset du"));
        assertEquals(List.of("explain"), complete(script, "pgsubset plan ex"));
        assertTrue(complete(script, "pgsubset dump --pl").contains("--plan"));
    }

    /**
     * zsh takes the same script through its bashcompinit: sourced, it registers the completion for
     * pgsubset, whose function offers the commands (zsh itself then keeps those matching the word).
     */
    @Test
    void zshLoadsTheSameCompletionThroughBashcompinit() throws Exception {
        Assumptions.assumeTrue(Release.onPath("zsh"), "zsh is not installed: its completion is not tried");
        String zsh = """
                source "$1"
                print -r -- "registered: ${_comps[pgsubset]}"
                emulate -L sh
                setopt kshglob noshglob braceexpand
                COMP_WORDS=(pgsubset du); COMP_CWORD=1; COMP_LINE="pgsubset du"; COMP_POINT=11
                _complete_pgsubset pgsubset du pgsubset
                echo "offered: ${COMPREPLY[@]}"
                """;
        Path script = home.resolve("share/bash-completion/completions/pgsubset");
        Run run = Release.run(ROOT, Map.of(), List.of("zsh", "-f", "-c", zsh, "zsh", script.toString()));
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("", run.err());
        assertTrue(run.out().contains("registered: _bash_complete -F _complete_pgsubset"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("offered: ") && List.of(l.split(" ")).contains("dump")),
                run.out());
    }

    /** What bash offers for Tab at the end of {@code line}, through the function the script registers. */
    private static List<String> complete(Path script, String line) throws Exception {
        String bash = """
                source "$1"
                function=$(complete -p pgsubset | sed -n 's/.* -F \\([^ ]*\\) .*/\\1/p')
                read -r -a COMP_WORDS <<<"$2"
                COMP_LINE=$2; COMP_POINT=${#2}; COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
                "$function" pgsubset "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """;
        Run run = Release.run(ROOT, Map.of(), List.of("bash", "-c", bash, "complete", script.toString(), line));
        assertEquals(0, run.exitCode(), run::toString);
        return run.out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    @Test
    void noticeNamesEveryLibraryTheJarBundles() throws Exception {
        String notice = Files.readString(Release.PROJECT.resolve("NOTICE"));
        List<String> missing = new ArrayList<>();
        try (ZipFile shaded = new ZipFile(Release.PROJECT.resolve("target/pgsubset.jar").toFile())) {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path jar = Path.of(entry);
                if (entry.endsWith(".jar") && !jar.startsWith(Release.PROJECT) && bundles(shaded, jar)) {
                    String artifact = jar.getParent().getParent().getFileName().toString();
                    if (!notice.contains(artifact)) {
                        missing.add(artifact);
                    }
                }
            }
        }
        assertEquals(List.of(), missing, "bundled in pgsubset.jar, not named in NOTICE");
        // picocli comes as classes compiled from its sources (see the next test), no jar on the class path
        try (ZipFile shaded = new ZipFile(Release.PROJECT.resolve("target/pgsubset.jar").toFile())) {
            assertTrue(shaded.getEntry("picocli/CommandLine.class") != null && notice.contains("info.picocli:picocli"));
        }
    }

    /**
     * Class-data sharing (JDK 17 to 24) and the AOT cache (JDK 25) never keep a class older than
     * Java 6 (class file version 50): each such class is read, parsed and verified from the jar on
     * every start. picocli's published jar is Java 5 bytecode, so the build compiles its sources.
     */
    @Test
    void everyClassTheJarBundlesIsOneTheClassCachesKeep() throws Exception {
        List<String> old = new ArrayList<>();
        try (ZipFile shaded = new ZipFile(Release.PROJECT.resolve("target/pgsubset.jar").toFile())) {
            for (ZipEntry entry : shaded.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                byte[] head;
                try (InputStream in = shaded.getInputStream(entry)) {
                    head = in.readNBytes(8);
                }
                int major = (head[6] & 0xff) << 8 | head[7] & 0xff;
                if (major < 50) {
                    old.add(entry.getName() + " (class file version " + major + ")");
                }
            }
        }
        assertEquals(List.of(), old);
    }

    /** Whether the shaded jar holds the classes of {@code jar} (one of them is enough to tell). */
    private static boolean bundles(ZipFile shaded, Path jar) throws Exception {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName)
                    .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/") && !n.endsWith("module-info.class"))
                    .findFirst().map(n -> shaded.getEntry(n) != null).orElse(false);
        }
    }

    private static final List<String> DEB_FILES = List.of("/usr/bin/pgsubset", "/usr/share/pgsubset/bin/pgsubset",
            "/usr/share/pgsubset/lib/pgsubset.jar", "/usr/share/pgsubset/lib/pgsubset.build",
            "/usr/share/man/man1/pgsubset.1.gz",
            "/usr/share/man/man1/pgsubset-dump.1.gz", "/usr/share/man/man1/pgsubset-plan-init.1.gz",
            "/usr/share/bash-completion/completions/pgsubset", "/usr/share/doc/pgsubset/copyright",
            "/usr/share/doc/pgsubset/changelog.gz", "/usr/share/doc/pgsubset/NOTICE");

    @Test
    void theDebianPackageHasTheFilesTheDependenciesAndNoLintianErrors() throws Exception {
        Assumptions.assumeTrue(Release.onPath("dpkg-deb"), "dpkg-deb is not installed: the .deb is not inspected");
        Run list = Release.run(ROOT, Map.of(), List.of("dpkg-deb", "-c", Release.DEB.toString()));
        assertEquals(0, list.exitCode(), list::toString);
        Set<String> files = list.out().lines().map(l -> l.substring(l.indexOf("./") + 1).replaceAll(" -> .*", ""))
                .collect(Collectors.toSet());
        DEB_FILES.forEach(f -> assertTrue(files.contains(f), f + " not in " + files));
        assertTrue(list.out().contains("./usr/bin/pgsubset -> ../share/pgsubset/bin/pgsubset"), list.out());
        assertTrue(list.out().contains("-rwxr-xr-x root/root") && list.out().contains("/usr/share/pgsubset/bin/pgsubset"));

        Run fields = Release.run(ROOT, Map.of(), List.of("dpkg-deb", "-f", Release.DEB.toString(),
                "Package", "Version", "Architecture", "Depends"));
        assertEquals("Package: pgsubset\nVersion: " + Release.VERSION + "\nArchitecture: all\n"
                + "Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, postgresql-client\n", fields.out());

        Assumptions.assumeTrue(Release.onPath("lintian"), "lintian is not installed: the .deb is not linted");
        Run lintian = Release.run(ROOT, Map.of(), List.of("lintian", "--no-tag-display-limit", Release.DEB.toString()));
        List<String> errors = lintian.out().lines().filter(l -> l.startsWith("E: ")).toList();
        assertEquals(List.of(), errors, lintian::toString);
    }

    @Test
    void theDebianPackageInstallsRunsAndRemovesWithoutATrace() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Assumptions.assumeTrue(root || "true".equals(System.getenv("CI")),
                "not root and CI is not true: dpkg -i / dpkg -r of the .deb are not tried");
        Assumptions.assumeTrue(root, "CI=true but not root: dpkg -i needs root");
        Assumptions.assumeTrue(Release.onPath("dpkg"), "dpkg is not installed");
        // one suite at a time on a shared machine, and never over a pgsubset someone installed
        try (FileChannel lockFile = FileChannel.open(Path.of(System.getProperty("java.io.tmpdir"), "pgsubset-dpkg-test.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            Run status = Release.run(ROOT, Map.of(), List.of("dpkg-query", "-W", "-f", "${Status}", "pgsubset"));
            Assumptions.assumeFalse(status.out().contains("installed") && !status.out().contains("not-installed"),
                    "a pgsubset package is installed on this machine: left alone");
            Assumptions.assumeFalse(Files.exists(Path.of("/usr/bin/pgsubset"), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                    "/usr/bin/pgsubset exists (not from the package): left alone");
            dpkg("-i", Release.DEB.toString());
            try {
                Run version = Release.run(ROOT, Map.of(), List.of("/usr/bin/pgsubset", "--version"));
                assertEquals(0, version.exitCode(), version::toString);
                Release.assertVersionLine(version.out());
                Run man = Release.run(ROOT, Map.of(), List.of("man", "-w", "pgsubset-dump"));
                assertEquals("/usr/share/man/man1/pgsubset-dump.1.gz\n", man.out(), man::toString);
            } finally {
                dpkg("-r", "pgsubset");
            }
            for (String file : DEB_FILES) {
                assertFalse(Files.exists(Path.of(file), java.nio.file.LinkOption.NOFOLLOW_LINKS), file + " left behind");
            }
            assertFalse(Files.exists(Path.of("/usr/share/pgsubset")), "/usr/share/pgsubset left behind");
            assertFalse(Files.exists(Path.of("/usr/share/doc/pgsubset")), "/usr/share/doc/pgsubset left behind");
            Run after = Release.run(ROOT, Map.of(), List.of("dpkg-query", "-W", "-f", "${Status}", "pgsubset"));
            assertFalse(after.out().contains(" installed") || after.out().contains("config-files"), after.out());
        }
    }

    /** dpkg with a few retries while apt or another dpkg holds its lock. */
    private static void dpkg(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("dpkg"));
        argv.addAll(List.of(args));
        Run run = null;
        for (int attempt = 0; attempt < 30; attempt++) {
            run = Release.run(ROOT, Map.of("DEBIAN_FRONTEND", "noninteractive"), argv);
            if (run.exitCode() == 0 || !run.err().contains("lock")) {
                break;
            }
            Thread.sleep(2000);
        }
        assertEquals(0, run.exitCode(), run::toString);
    }
}
