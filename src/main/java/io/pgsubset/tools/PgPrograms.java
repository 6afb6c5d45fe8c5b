package io.pgsubset.tools;

import io.pgsubset.error.PgsubsetException;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds pg_dump, psql and friends: an explicit path, then {@code PGBIN}, then {@code PATH},
 * then Debian's {@code /usr/lib/postgresql/<major>/bin} (newest first).
 */
public final class PgPrograms {
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");

    private final Map<String, String> env;
    private final Path debianRoot;
    private final VersionCache versions;

    public PgPrograms(Map<String, String> env) {
        this(env, Path.of("/usr/lib/postgresql"), VersionCache.forUser(env));
    }

    PgPrograms(Map<String, String> env, Path debianRoot) {
        this(env, debianRoot, VersionCache.none());
    }

    PgPrograms(Map<String, String> env, Path debianRoot, VersionCache versions) {
        this.env = Map.copyOf(env);
        this.debianRoot = debianRoot;
        this.versions = versions;
    }

    /** Finds {@code name}, preferring {@code explicit} when given; fails clearly when it is nowhere. */
    public PgProgram find(String name, Optional<Path> explicit) {
        if (explicit.isPresent()) {
            Path p = explicit.get();
            if (!Files.isExecutable(p)) {
                throw new PgsubsetException(name + " not found at " + p + " (given on the command line)");
            }
            return probe(name, p);
        }
        Optional<Path> wrapper = Optional.empty();
        for (Path candidate : candidates(name)) {
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                if (!isDebianWrapper(candidate)) {
                    return probe(name, candidate);
                }
                wrapper = wrapper.or(() -> Optional.of(candidate));
            }
        }
        if (wrapper.isPresent()) {
            return probe(name, wrapper.get());
        }
        throw new PgsubsetException(name + " not found in PGBIN, PATH or /usr/lib/postgresql/*/bin; install the "
                + "PostgreSQL client tools (Debian: apt-get install postgresql-client) or set PGBIN");
    }

    /**
     * Debian's /usr/bin/pg_dump is a Perl script (postgresql-common's pg_wrapper) that picks the
     * newest installed version for a remote server, as the /usr/lib/postgresql scan here does; the
     * binary itself saves a Perl start on every run.
     */
    private static boolean isDebianWrapper(Path candidate) {
        try {
            return candidate.toRealPath().getFileName().toString().equals("pg_wrapper");
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code name} from the directory of {@code sibling} when it is there (pg_restore next to pg_dump), else found as usual. */
    public PgProgram findBeside(String name, PgProgram sibling) {
        Path beside = sibling.path().resolveSibling(name);
        if (Files.isExecutable(beside) && !Files.isDirectory(beside)) {
            return probe(name, beside);
        }
        return find(name, Optional.empty());
    }

    private List<Path> candidates(String name) {
        List<Path> out = new ArrayList<>();
        Optional.ofNullable(env.get("PGBIN")).filter(s -> !s.isEmpty()).ifPresent(d -> out.add(Path.of(d, name)));
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                out.add(Path.of(dir, name));
            }
        }
        if (Files.isDirectory(debianRoot)) {
            try (Stream<Path> dirs = Files.list(debianRoot)) {
                dirs.filter(d -> d.getFileName().toString().matches("\\d+"))
                        .sorted(Comparator.comparingInt((Path d) -> Integer.parseInt(d.getFileName().toString()))
                                .reversed())
                        .forEach(d -> out.add(d.resolve("bin").resolve(name)));
            } catch (IOException e) {
                // an unreadable /usr/lib/postgresql only means fewer candidates
                return out;
            }
        }
        return out;
    }

    /** What the program answers to --version: recorded for this very file, or asked. */
    private PgProgram probe(String name, Path path) {
        Optional<String> known = versions.lookup(path);
        if (known.isPresent()) {
            Optional<PgProgram> p = parse(name, path, known.get());
            if (p.isPresent()) {
                return p.get();
            }
        }
        String out = ask(path);
        PgProgram program = parse(name, path, out).orElseThrow(() -> new PgsubsetException(
                path + " does not look like PostgreSQL's " + name + ": \"" + out + "\""));
        versions.store(path, out);
        return program;
    }

    private static Optional<PgProgram> parse(String name, Path path, String versionText) {
        Matcher m = VERSION.matcher(versionText);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new PgProgram(name, path, Integer.parseInt(m.group(1)), versionText));
    }

    private static String ask(Path path) {
        try {
            Process p = new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new PgsubsetException(path + " --version did not answer within 30 seconds");
            }
            return out;
        } catch (IOException e) {
            throw new PgsubsetException("could not run " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgsubsetException("interrupted while checking " + path, e);
        }
    }
}
