package io.pgsubset.tools;

import io.pgsubset.files.OwnerOnly;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What each client program answered to {@code --version}, kept in the user's cache directory per
 * file: its real path, inode, size, status-change and modification times. The same file gives the
 * same answer, and asking it took a process start (dynamic linking of libpq and its libraries, tens
 * of milliseconds of CPU) twice per dump, pg_dump and pg_restore. A replaced or touched program
 * has another inode or times, so it is asked again. The cache only ever saves that process: a
 * file it cannot read or write is ignored, a line it does not understand is a miss.
 */
final class VersionCache {
    static final String FILE = "programs.tsv";
    private static final int MAX_LINES = 64;

    private final Optional<Path> file;

    private VersionCache(Optional<Path> file) {
        this.file = file;
    }

    static VersionCache none() {
        return new VersionCache(Optional.empty());
    }

    /** In {@code $XDG_CACHE_HOME/pgsubset}, else {@code ~/.cache/pgsubset}, where the launcher keeps its class cache. */
    static VersionCache forUser(Map<String, String> env) {
        String xdg = env.getOrDefault("XDG_CACHE_HOME", "");
        String home = env.getOrDefault("HOME", "");
        Path dir = xdg.startsWith("/") ? Path.of(xdg, "pgsubset")
                : home.startsWith("/") ? Path.of(home, ".cache", "pgsubset") : null;
        return new VersionCache(Optional.ofNullable(dir).map(d -> d.resolve(FILE)));
    }

    /** The answer recorded for exactly this file, if any. */
    Optional<String> lookup(Path program) {
        Optional<String> key = key(program);
        if (file.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        String prefix = key.get() + "\t";
        return lines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .findFirst();
    }

    /** Records {@code versionText} for this file (one line, without tabs: anything else is not kept). */
    void store(Path program, String versionText) {
        Optional<String> key = key(program);
        if (file.isEmpty() || key.isEmpty() || versionText.contains("\t") || versionText.contains("\n")
                || versionText.contains("\r")) {
            return;
        }
        String path = key.get().substring(0, key.get().indexOf('\t') + 1);
        List<String> kept = new ArrayList<>();
        for (String l : lines()) {
            // one line per path; none for a program that is gone
            if (!l.startsWith(path) && l.indexOf('\t') > 0 && Files.exists(Path.of(l.substring(0, l.indexOf('\t'))))) {
                kept.add(l);
            }
        }
        kept.add(key.get() + "\t" + versionText);
        List<String> out = kept.subList(Math.max(0, kept.size() - MAX_LINES), kept.size());
        Path target = file.get();
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(FILE + "." + ProcessHandle.current().pid() + ".tmp");
            OwnerOnly.writeString(tmp, String.join("\n", out) + "\n");
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            // a cache that cannot be written only means asking again next time
            return;
        }
    }

    private List<String> lines() {
        try {
            return Files.readAllLines(file.orElseThrow(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static long nanos(Object time) {
        return ((FileTime) time).to(TimeUnit.NANOSECONDS);
    }

    /** real path, inode, size, ctime, mtime (nanoseconds), tab-separated; empty when they cannot be read. */
    private static Optional<String> key(Path program) {
        try {
            Path real = program.toRealPath();
            Map<String, Object> a = Files.readAttributes(real, "unix:ino,size,ctime,lastModifiedTime");
            String path = real.toString();
            if (path.contains("\t") || path.contains("\n") || path.contains("\r")) {
                return Optional.empty();
            }
            return Optional.of(path + "\t" + a.get("ino") + "\t" + a.get("size") + "\t" + nanos(a.get("ctime")) + "\t"
                    + nanos(a.get("lastModifiedTime")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
