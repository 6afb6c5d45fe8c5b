package io.pgsubset.clone;

import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;
import io.pgsubset.dump.SourceConnection;
import io.pgsubset.database.TargetDatabase;
import io.pgsubset.dump.CopiedTable;
import io.pgsubset.dump.DumpListener;
import io.pgsubset.dump.ScriptOutput;
import io.pgsubset.dump.ScriptRequest;
import io.pgsubset.dump.SqlDumper;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.restore.PsqlRunner;
import io.pgsubset.restore.Restore;
import io.pgsubset.restore.RestoreListener;
import io.pgsubset.tools.PgPrograms;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code clone --clean} into an existing database: the whole refresh in ONE transaction, as
 * restore.sh does it, so a failure, Ctrl-C or a kill leaves the target's old content. That is
 * {@code dump --format sql} with the target emptied first ({@link ScriptRequest.Clean#EVERYTHING}),
 * streamed into one psql session on the target: the script checks every table's rows before its
 * COMMIT. One session, so one COPY at a time; --create and --replace copy with --jobs.
 */
final class OneTransactionClone {
    private final SourceConnection source;
    private final ConnectionTarget target;
    private final PgPrograms programs;
    private final Optional<Path> pgDumpPath;
    private final PsqlRunner psql;
    private final DumpListener listener;
    private final RestoreListener targetListener;

    OneTransactionClone(SourceConnection source, ConnectionTarget target, PgPrograms programs,
                        Optional<Path> pgDumpPath, Optional<Path> psqlPath, Map<String, String> env,
                        DumpListener listener, RestoreListener targetListener) {
        this.source = source;
        this.target = target;
        this.programs = programs;
        this.pgDumpPath = pgDumpPath;
        this.psql = new PsqlRunner(programs.find("psql", psqlPath), env);
        this.listener = listener;
        this.targetListener = targetListener;
    }

    CloneResult run(CloneRequest request) {
        if (request.jobs() > 1) {
            throw new UsageException("--clean refreshes the target in one transaction on one connection, so it "
                    + "copies one table at a time: leave out --jobs " + request.jobs() + ", or use --replace, which "
                    + "copies with --jobs into a new database and swaps it in when complete");
        }
        long start = System.nanoTime();
        ScriptRequest script = new ScriptRequest(request.source(), false, ScriptRequest.Clean.EVERYTHING,
                request.toolVersion());
        AtomicReference<SqlDumper.Result> written = new AtomicReference<>();
        targetListener.step("emptying and loading " + target + " in one transaction (psql)");
        psql.feed(target, "the clone into " + target, in -> {
            try (ScriptOutput out = ScriptOutput.stdout(in)) {
                written.set(new SqlDumper(source, programs, pgDumpPath, listener).run(script, out, this::refuse));
            }
        });
        Manifest manifest = written.get().manifest();
        manifest.database().ifPresent(this::applySettings);
        List<CopiedTable> tables = manifest.tables().stream().map(OneTransactionClone::copied).toList();
        return new CloneResult(target.dbname(), tables, Optional.empty(), (System.nanoTime() - start) / 1_000_000);
    }

    /** Before a byte is written: never the source itself (exit 2, nothing changed). */
    private void refuse(Manifest.Source from) {
        try (Connection c = Connector.toTarget(target).open()) {
            Restore.refuseSource(c, from, target.dbname());
        } catch (SQLException e) {
            throw new PgsubsetException("could not check the target " + target + ": " + Messages.firstLine(e), e);
        }
    }

    /** The source database's settings and comment once the data is in, as restore --clean applies them. */
    private void applySettings(io.pgsubset.database.DatabaseProperties like) {
        try (Connection c = Connector.toTarget(target).open()) {
            TargetDatabase.warnLocaleDifferences(c, like, targetListener);
            TargetDatabase.applySettings(c, like, targetListener);
        } catch (SQLException e) {
            throw new PgsubsetException("could not apply the database settings to " + target + ": "
                    + Messages.firstLine(e), e);
        }
    }

    /** The script's COMMIT came after its check of every table's rows: what was sent is what is there. */
    private static CopiedTable copied(Manifest.TableEntry t) {
        return new CopiedTable(new QualifiedName(t.schema(), t.name()), t.mode(), t.columns(), t.rows(), t.rows(),
                true, t.rowDigest(), t.bytes(), 0);
    }
}
