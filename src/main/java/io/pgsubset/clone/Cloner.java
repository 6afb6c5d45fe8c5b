package io.pgsubset.clone;

import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;
import io.pgsubset.dump.SourceConnection;
import io.pgsubset.dump.CopiedTable;
import io.pgsubset.dump.DumpListener;
import io.pgsubset.dump.SourceFailures;
import io.pgsubset.dump.SourceSnapshot;
import io.pgsubset.error.Messages;
import io.pgsubset.files.Trees;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.restore.Restore;
import io.pgsubset.restore.RestoreListener;
import io.pgsubset.restore.RestoreRequest;
import io.pgsubset.restore.RestoreResult;
import io.pgsubset.restore.RestoreResult.TableRows;
import io.pgsubset.subset.Subset;
import io.pgsubset.tools.PgPrograms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code pgsubset clone}: a dump's source side ({@link SourceSnapshot}: one snapshot, locks, the
 * plan checked, the subset, pg_dump's schema) paired with a restore's target side ({@link Restore}:
 * refusals, --create/--clean/--replace, pre-data, post-data, sequences, ANALYZE), the rows streamed
 * from COPY TO into COPY FROM without touching the disk. The schema sections and sequences.sql
 * pass through a private temporary directory, removed at the end.
 */
public final class Cloner {
    private final SourceConnection source;
    private final ConnectionTarget target;
    private final PgPrograms programs;
    private final Optional<Path> pgDumpPath;
    private final Optional<Path> psqlPath;
    private final Map<String, String> env;
    private final DumpListener listener;
    private final RestoreListener targetListener;

    public Cloner(SourceConnection source, ConnectionTarget target, PgPrograms programs, Optional<Path> pgDumpPath,
                  Optional<Path> psqlPath, Map<String, String> env, DumpListener listener,
                  RestoreListener targetListener) {
        this.source = source;
        this.target = target;
        this.programs = programs;
        this.pgDumpPath = pgDumpPath;
        this.psqlPath = psqlPath;
        this.env = Map.copyOf(env);
        this.listener = listener;
        this.targetListener = targetListener;
    }

    public CloneResult run(CloneRequest request) {
        try {
            return clone(request);
        } catch (RuntimeException e) {
            throw SourceFailures.explain(e, request.source().limits().statementTimeout());
        }
    }

    private CloneResult clone(CloneRequest request) {
        if (request.clean() && !request.create() && request.replace().isEmpty()) {
            return new OneTransactionClone(source, target, programs, pgDumpPath, psqlPath, env, listener,
                    targetListener).run(request);
        }
        long start = System.nanoTime();
        Restore restore = new Restore(target, programs.find("psql", psqlPath), env, targetListener);
        Path work = SourceSnapshot.workDirectory("pgsubset-clone-");
        // Ctrl-C or SIGTERM: the schema and large objects of the source go with the run (pg_dump,
        // which writes here, is stopped by the snapshot's own hook meanwhile, hence the retries)
        Thread removeOnExit = new Thread(() -> removeOnShutdown(work), "pgsubset-clone-cleanup");
        Runtime.getRuntime().addShutdownHook(removeOnExit);
        try (SourceSnapshot snapshot = SourceSnapshot.open(source, programs, pgDumpPath, listener, request.source(),
                request.jobs() > 1 ? request.jobs() : 0)) {
            SourceSnapshot.SchemaRun schema = snapshot.startSchema(work, failure -> {
            });
            try {
                Subset subset = snapshot.subset();
                List<Manifest.SequenceEntry> sequences = snapshot.sequences();
                SourceSnapshot.writeSequences(work, sequences);
                Manifest manifest = snapshot.targetManifest(work, subset, sequences, request.toolVersion());
                schema.await();
                listener.step("schema read by " + schema.pgDumpPath());
                List<CopiedTable> copied = new ArrayList<>();
                RestoreResult done = restore.run(restoreRequest(request, work), manifest, work, into -> {
                    copied.addAll(snapshot.copyInto(subset, () -> Connector.toTarget(into).open(), request.jobs()));
                    return rows(copied);
                }, start);
                copied.sort(Comparator.comparing(CopiedTable::table));
                return new CloneResult(done.database(), copied, done.keptOld(), (System.nanoTime() - start) / 1_000_000);
            } catch (RuntimeException e) {
                throw snapshot.leaderLost(e);
            } finally {
                schema.stop();
            }
        } finally {
            deleteQuietly(work, targetListener);
            forget(removeOnExit);
        }
    }

    private static RestoreRequest restoreRequest(CloneRequest r, Path work) {
        return new RestoreRequest(work, r.jobs(), r.create() && r.replace().isEmpty(), r.owner(), r.clean(),
                r.replace(), r.terminate(), r.dropOld(), r.maintenanceDb());
    }

    private static List<TableRows> rows(List<CopiedTable> copied) {
        // an estimated count (a full table, children the server joined) is nothing to hold the load against
        return copied.stream().map(t -> new TableRows(t.table().schema(), t.table().name(), t.rows(),
                t.counted() ? t.expected() : t.rows(),
                t.bytes(), t.nanos() / 1_000_000)).toList();
    }


    private static void forget(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook removes what is left
            return;
        }
    }

    private static void removeOnShutdown(Path work) {
        for (int attempt = 0; attempt < 5 && Files.exists(work); attempt++) {
            if (Trees.delete(work).isPresent()) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void deleteQuietly(Path dir, RestoreListener listener) {
        Trees.delete(dir).ifPresent(e -> listener.step("warning: could not remove " + dir + ": " + Messages.firstLine(e)));
    }
}
