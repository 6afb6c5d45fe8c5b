package io.pgsubset.dump;

import io.pgsubset.error.PgsubsetException;
import io.pgsubset.sql.Ident;
import io.pgsubset.tools.PgProgram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The schema, by pg_dump itself on the dump's snapshot: pre-data (types, tables, functions...)
 * and post-data (indexes, constraints, triggers) in two files, so restore can load the data in
 * between and build every index and check every foreign key once.
 */
final class SchemaDump {
    static final String PRE_DATA = "schema/pre-data.sql";
    static final String POST_DATA = "schema/post-data.sql";

    /**
     * @param schemas only these schemas (pg_dump -n); empty for the whole database, which also
     *                keeps extensions and other database-wide objects
     */
    record Options(PgProgram pgDump, Map<String, String> environment, String snapshotId, List<String> schemas,
                   boolean keepOwners, Optional<String> lockWaitTimeout) {
        Options {
            environment = Map.copyOf(environment);
            schemas = List.copyOf(schemas);
        }
    }

    private final Options options;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    SchemaDump(Options options) {
        this.options = options;
    }

    /**
     * Both sections at once: each pg_dump spends most of its time reading the catalog, so running
     * them side by side halves the schema's share of a small subset dump.
     */
    void run(Path dir) {
        CompletableFuture<Void> post = CompletableFuture.runAsync(
                () -> section(options, dir, "post-data", dir.resolve(POST_DATA)));
        try {
            section(options, dir, "pre-data", dir.resolve(PRE_DATA));
        } catch (RuntimeException e) {
            cancel();
            post.exceptionally(ignored -> null).join();
            throw e;
        }
        try {
            post.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Stops the running pg_dumps, if any; a cancelled run fails instead of starting a section. */
    void cancel() {
        cancelled = true;
        running.forEach(Process::destroy);
    }

    static List<String> argv(Options o, String section, Path file) {
        List<String> argv = new ArrayList<>(List.of(o.pgDump().path().toString(), "--schema-only",
                "--section=" + section, "--snapshot=" + o.snapshotId(), "--no-subscriptions", "--file=" + file));
        if (!o.keepOwners()) {
            argv.add("--no-owner");
            argv.add("--no-privileges");
        }
        o.lockWaitTimeout().ifPresent(t -> argv.add("--lock-wait-timeout=" + t));
        for (String schema : o.schemas()) {
            // a quoted pattern matches exactly this name: no wildcards, case kept
            argv.add("--schema=" + Ident.quote(schema));
        }
        return argv;
    }

    private void section(Options o, Path dir, String section, Path file) {
        Path log = dir.resolve(".pg_dump-" + section + ".log");
        List<String> argv = argv(o, section, file);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().putAll(o.environment());
        try {
            if (cancelled) {
                throw new TableCopier.DumpCancelled();
            }
            Process p = pb.start();
            running.add(p);
            if (cancelled) {
                p.destroy();
            }
            int code;
            try {
                code = p.waitFor();
            } catch (InterruptedException e) {
                p.destroy();
                Thread.currentThread().interrupt();
                throw new TableCopier.DumpCancelled();
            } finally {
                running.remove(p);
            }
            if (cancelled) {
                throw new TableCopier.DumpCancelled();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8).trim();
            Files.deleteIfExists(log);
            if (code != 0) {
                throw new PgsubsetException(o.pgDump().path() + " --section=" + section + " failed (exit " + code
                        + "): " + lastLines(output));
            }
        } catch (IOException e) {
            throw DumpErrors.io("could not run " + o.pgDump().path(), e);
        }
    }

    private static String lastLines(String output) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            return "no message";
        }
        return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }
}
