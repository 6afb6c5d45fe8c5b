package io.pgsubset.dump;

import io.pgsubset.format.DumpLayout;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.files.OwnerOnly;
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
import java.util.regex.Pattern;

/**
 * The schema, by pg_dump itself on the dump's snapshot: pre-data (types, tables, functions...)
 * and post-data (indexes, constraints, triggers) in two files, so restore can load the data in
 * between and build every index and check every foreign key once. One pg_dump run reads the
 * catalog into a custom-format archive (most of its time, and of the server's, on a big catalog);
 * pg_restore then writes each section from that file without a connection.
 */
final class SchemaDump {
    static final String PRE_DATA = DumpLayout.PRE_DATA;
    static final String POST_DATA = DumpLayout.POST_DATA;
    private static final String ARCHIVE = "schema/.schema.pgdump";
    private static final String LIST = "schema/.schema.list";
    /** pg_restore --list lines of the public schema itself and its comment (not of what is in it). */
    private static final Pattern PUBLIC_SCHEMA_ENTRY =
            Pattern.compile("^\\d+; \\d+ \\d+ (SCHEMA - public|COMMENT - SCHEMA public) .*");

    /**
     * @param pgRestore the pg_restore that writes the sections (at least as new as pg_dump)
     * @param schemas    only these schemas (pg_dump -n); empty for the whole database, which also
     *                   keeps extensions and other database-wide objects
     * @param encoding   the sections' encoding (pg_dump --encoding); empty for the database's own
     * @param extensions with {@code schemas}, the extensions to create all the same (pg_dump -e, from
     *                   pg_dump 14): -n alone leaves out every CREATE EXTENSION, so a table with a
     *                   PostGIS or citext column could not be restored
     */
    record Options(PgProgram pgDump, PgProgram pgRestore, Map<String, String> environment, String snapshotId,
                   List<String> schemas, List<String> extensions, boolean keepOwners, Optional<String> lockWaitTimeout,
                   Optional<String> encoding) {
        Options {
            environment = Map.copyOf(environment);
            schemas = List.copyOf(schemas);
            extensions = List.copyOf(extensions);
        }
    }

    private final Options options;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    SchemaDump(Options options) {
        this.options = options;
    }

    void run(Path dir) {
        Path archive = dir.resolve(ARCHIVE);
        try {
            if (!Files.isDirectory(archive.getParent())) {
                OwnerOnly.createDirectory(archive.getParent());
            }
        } catch (IOException e) {
            throw DumpErrors.io("could not create " + archive.getParent(), e);
        }
        execute(dumpArgv(options, archive), archive, dir, "pg_dump", options.pgDump());
        Optional<Path> list = withoutPublicSchema(dir, archive);
        Path pre = dir.resolve(PRE_DATA);
        Path postData = dir.resolve(POST_DATA);
        CompletableFuture<Void> post = CompletableFuture.runAsync(() -> execute(
                sectionArgv(options, "post-data", archive, postData, list), postData, dir, "post-data",
                options.pgRestore()));
        try {
            execute(sectionArgv(options, "pre-data", archive, pre, list), pre, dir, "pre-data", options.pgRestore());
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
        try {
            Files.deleteIfExists(archive);
            Files.deleteIfExists(dir.resolve(LIST));
        } catch (IOException e) {
            throw DumpErrors.io("could not remove " + archive, e);
        }
    }

    /**
     * pg_dump -n public writes {@code CREATE SCHEMA public}, which fails on every target (createdb
     * and restore --clean both make it); a whole-database dump leaves it out. With -n public, the
     * sections are written from the archive's list without that entry and its comment.
     */
    private Optional<Path> withoutPublicSchema(Path dir, Path archive) {
        if (!options.schemas().contains("public")) {
            return Optional.empty();
        }
        Path list = dir.resolve(LIST);
        execute(List.of(options.pgRestore().path().toString(), "--list", "--file=" + list, archive.toString()), list,
                dir, "list", options.pgRestore());
        try {
            List<String> entries = Files.readAllLines(list, StandardCharsets.UTF_8).stream()
                    .map(l -> PUBLIC_SCHEMA_ENTRY.matcher(l).matches() ? ";" + l : l).toList();
            Files.write(list, entries, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw DumpErrors.io("could not rewrite " + list, e);
        }
        return Optional.of(list);
    }

    /** Stops the running pg_dump or pg_restore, if any; a cancelled run fails instead of starting one. */
    void cancel() {
        cancelled = true;
        running.forEach(Process::destroy);
    }

    static List<String> dumpArgv(Options o, Path archive) {
        // --no-password: pgsubset has authenticated already with what pg_dump gets; a prompt would hang
        List<String> argv = new ArrayList<>(List.of(o.pgDump().path().toString(), "--schema-only", "--format=custom",
                "--snapshot=" + o.snapshotId(), "--no-subscriptions", "--no-password", "--file=" + archive));
        if (o.pgDump().majorVersion() >= 10) {
            // the archive is read once by pg_restore and deleted: its fsync only delayed the schema
            argv.add("--no-sync");
        }
        if (!o.keepOwners()) {
            argv.add("--no-privileges");
        }
        o.lockWaitTimeout().ifPresent(t -> argv.add("--lock-wait-timeout=" + t));
        o.encoding().ifPresent(e -> argv.add("--encoding=" + e));
        for (String schema : o.schemas()) {
            // a quoted pattern matches exactly this name: no wildcards, case kept
            argv.add("--schema=" + Ident.quote(schema));
        }
        if (!o.schemas().isEmpty() && o.pgDump().majorVersion() >= 14) {
            for (String extension : o.extensions()) {
                argv.add("--extension=" + Ident.quote(extension));
            }
        }
        return argv;
    }

    /** Owners are left out here: an archive always records them, pg_restore decides whether to set them. */
    static List<String> sectionArgv(Options o, String section, Path archive, Path file, Optional<Path> list) {
        List<String> argv = new ArrayList<>(List.of(o.pgRestore().path().toString(), "--section=" + section,
                "--file=" + file));
        list.ifPresent(l -> argv.add("--use-list=" + l));
        if (!o.keepOwners()) {
            argv.add("--no-owner");
            argv.add("--no-privileges");
        }
        argv.add(archive.toString());
        return argv;
    }

    /**
     * Runs pg_dump or pg_restore, which writes {@code writes}. That file is made here first, the
     * owner's only: the program truncates it and keeps its mode (a shell setting umask 077 before
     * each program cost a process start on the way to the schema).
     */
    private void execute(List<String> argv, Path writes, Path dir, String step, PgProgram program) {
        Path log = dir.resolve(".pg_dump-" + step + ".log");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().putAll(options.environment());
        try {
            if (cancelled) {
                throw new TableCopier.DumpCancelled();
            }
            OwnerOnly.newChannel(log).close();
            OwnerOnly.newChannel(writes).close();
            Process p = pb.redirectOutput(log.toFile()).start();
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
                throw new PgsubsetException(program.path() + " (" + step + ") failed (exit " + code + "): "
                        + failureLines(output) + (output.contains("lock timeout")
                        ? "; pg_dump waited longer than " + options.lockWaitTimeout().orElse("its lock timeout")
                        + " for a table lock: another session's lock request (a migration's ALTER TABLE?) is queued"
                        + " behind this dump's locks; retry when it is done, or raise --lock-wait-timeout" : ""));
            }
        } catch (IOException e) {
            throw DumpErrors.io("could not run " + program.path(), e);
        }
    }

    /**
     * What a failed pg_dump or pg_restore said: its first {@code error:} line and the lines after it
     * (the server's DETAIL, HINT), up to the query text it appends ({@code detail: Query was: ...},
     * many lines of SQL that would otherwise hide the reason, e.g. a standby's conflict with
     * recovery); without an error line, its last three lines.
     */
    static String failureLines(String output) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).map(String::strip).toList();
        if (lines.isEmpty()) {
            return "no message";
        }
        int error = 0;
        while (error < lines.size() && !lines.get(error).contains(": error: ")) {
            error++;
        }
        if (error == lines.size()) {
            return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        }
        List<String> out = new ArrayList<>();
        for (int i = error; i < lines.size() && out.size() < 3 && !lines.get(i).contains(": detail: Query was:"); i++) {
            out.add(lines.get(i));
        }
        return String.join(" / ", out);
    }
}
