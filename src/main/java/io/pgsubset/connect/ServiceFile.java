package io.pgsubset.connect;

import io.pgsubset.error.UsageException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * libpq's connection service file: {@code [name]} groups of {@code keyword=value} lines. The user's
 * file ({@code PGSERVICEFILE}, else {@code ~/.pg_service.conf}) is searched first and the system
 * file ({@code PGSYSCONFDIR/pg_service.conf}) only when the user's does not define the service, as
 * libpq does. pgjdbc's own parser is not used: it reads the process environment rather than the
 * one pgsubset resolves from, and it logs a broken file instead of reporting it.
 */
final class ServiceFile {
    /**
     * Where packaged libpq builds look when PGSYSCONFDIR is unset: Debian and Ubuntu, the PGDG
     * RPMs, and a plain {@code /etc}.
     */
    static final List<Path> SYSTEM_DIRS = List.of(Path.of("/etc/postgresql-common"), Path.of("/etc/sysconfig/pgsql"),
            Path.of("/etc"));

    private ServiceFile() {
    }

    /**
     * The parameters of service {@code name}, in file order; fails when no file defines it or the
     * defining file is broken.
     */
    static Map<String, String> lookup(String name, Map<String, String> env, Set<String> supported) {
        List<Path> searched = new ArrayList<>();
        for (Path file : candidates(env)) {
            searched.add(file);
            if (Files.isRegularFile(file)) {
                Optional<Map<String, String>> found = read(file, name, supported);
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        throw new UsageException("definition of service \"" + name + "\" not found (searched "
                + String.join(", ", searched.stream().map(Path::toString).toList()) + ")");
    }

    private static List<Path> candidates(Map<String, String> env) {
        List<Path> files = new ArrayList<>();
        String userFile = env.get("PGSERVICEFILE");
        if (userFile != null && !userFile.isEmpty()) {
            files.add(Path.of(userFile));
        } else {
            files.add(Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".pg_service.conf"));
        }
        String sysconf = env.get("PGSYSCONFDIR");
        if (sysconf != null && !sysconf.isEmpty()) {
            files.add(Path.of(sysconf, "pg_service.conf"));
        } else {
            SYSTEM_DIRS.stream().map(d -> d.resolve("pg_service.conf")).filter(Files::isRegularFile).findFirst()
                    .ifPresent(files::add);
        }
        return files;
    }

    private static Optional<Map<String, String>> read(Path file, String name, Set<String> supported) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read service file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> out = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (out != null) {
                    break;
                }
                if (line.equals("[" + name + "]")) {
                    out = new LinkedHashMap<>();
                }
                continue;
            }
            if (out != null) {
                parameter(file, i + 1, line, supported, out);
            }
        }
        return Optional.ofNullable(out);
    }

    /** One {@code keyword=value} line; the first value of a keyword wins, as in libpq. */
    private static void parameter(Path file, int lineNo, String line, Set<String> supported, Map<String, String> out) {
        String where = "service file " + file + ", line " + lineNo;
        int eq = line.indexOf('=');
        if (eq < 0) {
            throw new UsageException(where + ": syntax error: expected keyword=value");
        }
        String key = line.substring(0, eq).strip();
        if (key.equals("service")) {
            throw new UsageException(where + ": nested service specifications are not supported");
        }
        if (!supported.contains(key)) {
            throw new UsageException(where + ": unsupported connection parameter \"" + key + "\"");
        }
        out.putIfAbsent(key, line.substring(eq + 1).strip());
    }
}
