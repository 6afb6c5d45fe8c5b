package io.pgsubset.restore;

import io.pgsubset.format.TargetSql;
import io.pgsubset.format.MaterializedViewRefresh;
import io.pgsubset.format.DumpLayout;
import io.pgsubset.error.Messages;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;
import io.pgsubset.database.TargetDatabase;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.Manifest.TableEntry;
import io.pgsubset.restore.PsqlRunner.FilePart;
import io.pgsubset.restore.PsqlRunner.Part;
import io.pgsubset.restore.PsqlRunner.Text;
import io.pgsubset.restore.RestoreResult.TableRows;
import io.pgsubset.tools.PgProgram;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code pgsubset restore}: the steps of restore.sh in Java, with parallel COPY. The dump's files
 * are checked first (with --clean also their sha256; otherwise {@link FileLoad} checks it as
 * it reads, and commits no data unless every file matched); the target is refused when it is the
 * dump's source or non-empty without clean. Then pre-data (psql, one transaction, after the
 * clean), the data files through {@link FileLoad}, post-data and sequences (psql), ANALYZE,
 * and rows against the manifest.
 * With {@code replace}, all of this goes into a new database that {@link Replace} swaps in.
 */
public final class Restore {
    private final ConnectionTarget server;
    private final PsqlRunner psql;
    private final RestoreListener listener;
    private final long splitBytes;

    /**
     * @param server  the target as given (host, port, user, password; its dbname is the target
     *                database unless the request says replace)
     * @param env     the process environment (PATH and friends for psql)
     */
    public Restore(ConnectionTarget server, PgProgram psql, Map<String, String> env, RestoreListener listener) {
        this(server, psql, env, listener, FileLoad.SPLIT_BYTES);
    }

    /** @param splitBytes data files of at least this size are loaded by all jobs side by side */
    Restore(ConnectionTarget server, PgProgram psql, Map<String, String> env, RestoreListener listener,
            long splitBytes) {
        this.server = server;
        this.psql = new PsqlRunner(psql, env);
        this.listener = listener;
        this.splitBytes = splitBytes;
    }

    public RestoreResult run(RestoreRequest request) {
        long start = System.nanoTime();
        Manifest manifest;
        if (request.clean()) {
            // --clean commits its drop with the pre-data schema, before the data is read
            manifest = DumpCheck.check(request.dumpDir());
            listener.step("checked " + manifest.tables().size() + " data files against their sha256");
        } else {
            manifest = DumpCheck.checkFiles(request.dumpDir());
            listener.step("found " + manifest.tables().size() + " data files; their sha256 is checked as they load");
        }
        Path dir = request.dumpDir();
        return run(request, manifest, dir, target -> loadFiles(target, manifest, dir, request.jobs()), start);
    }

    /** Loads the data into a target whose pre-data schema is in place; returns rows per table. */
    public interface DataStep {
        List<TableRows> load(ConnectionTarget target);
    }

    /**
     * The target side of a restore or a clone: refuses the source and a non-empty target without
     * clean, creates (--create) or builds beside and swaps (--replace), then pre-data from
     * {@code schemaDir}, the data from {@code data}, post-data and sequences, ANALYZE.
     *
     * @param manifest  the source (refused as a target), the materialized views to refresh, the large
     *                  objects to load from {@code schemaDir}; its tables are {@code data}'s business
     * @param schemaDir holds schema/pre-data.sql, schema/post-data.sql, sequences.sql (and large objects)
     */
    public RestoreResult run(RestoreRequest request, Manifest manifest, Path schemaDir, DataStep data, long start) {
        Manifest.Source source = manifest.source();
        if (request.replace().isPresent()) {
            Replace replace = new Replace(server.withDbname(request.maintenanceDb()), request, listener);
            return replace.run(manifest, newDb -> {
                List<TableRows> rows = load(newDb, manifest, schemaDir, false, data);
                applySettings(newDb, manifest);
                return rows;
            }, start);
        }
        String db = server.dbname();
        boolean created = false;
        if (request.create()) {
            Databases.checkName(db);
            try (Connection admin = open(server.withDbname(request.maintenanceDb()))) {
                TargetDatabase.create(admin, db, request.owner(), manifest.database(), request.locale(), listener);
                created = true;
            } catch (SQLException e) {
                throw new PgsubsetException("could not create database \"" + db + "\": " + Messages.firstLine(e), e);
            }
        }
        // Ctrl-C or SIGTERM: the database this run created goes with it, as after a failure
        Thread dropOnExit = new Thread(() -> Databases.dropQuietly(server.withDbname(request.maintenanceDb()), db,
                listener), "pgsubset-create-cleanup");
        if (created) {
            Runtime.getRuntime().addShutdownHook(dropOnExit);
        }
        try {
            try (Connection c = openTarget(server, created)) {
                refuseSource(c, source, db);
                if (!request.clean()) {
                    refuseNonEmpty(c, db);
                }
                if (!created) {
                    warnLocaleDifferences(c, manifest);
                }
            }
            List<TableRows> rows = load(server, manifest, schemaDir, request.clean(), data);
            applySettings(server, manifest);
            forget(created, dropOnExit);
            return new RestoreResult(db, rows, Optional.empty(), (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException | SQLException e) {
            if (created && forget(true, dropOnExit)) {
                Databases.dropQuietly(server.withDbname(request.maintenanceDb()), db, listener);
            }
            throw e instanceof RuntimeException re ? re
                    : new PgsubsetException("restore into \"" + db + "\" failed: " + Messages.firstLine(e), e);
        }
    }

    /** An existing target keeps its encoding and locale: say where they are not the source's. */
    private void warnLocaleDifferences(Connection c, Manifest manifest) {
        manifest.database().ifPresent(source -> TargetDatabase.warnLocaleDifferences(c, source, listener));
    }

    /** The source database's settings and comment, once the data is in (see {@link TargetDatabase#applySettings}). */
    private void applySettings(ConnectionTarget target, Manifest manifest) {
        if (manifest.database().isEmpty()) {
            return;
        }
        try (Connection c = open(target)) {
            TargetDatabase.applySettings(c, manifest.database().get(), listener);
        } catch (SQLException e) {
            throw new PgsubsetException("could not apply the database settings to " + target + ": " + Messages.firstLine(e),
                    e);
        }
    }

    /** Removes the shutdown hook; false when the JVM is already exiting (the hook runs). */
    private static boolean forget(boolean registered, Thread hook) {
        if (!registered) {
            return false;
        }
        try {
            return Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
    }

    /** The data files, on {@code jobs} connections, largest first; rows in the manifest's order. */
    private List<TableRows> loadFiles(ConnectionTarget target, Manifest manifest, Path dir, int jobs) {
        List<TableEntry> bySize = new ArrayList<>(manifest.tables());
        bySize.sort(Comparator.comparingLong(TableEntry::bytes).reversed());
        List<TableRows> rows;
        try {
            rows = new FileLoad(Connector.toTarget(target), dir, jobs, splitBytes, listener).load(bySize);
        } catch (RuntimeException e) {
            throw damagedOr(e, target, dir);
        }
        List<TableRows> inManifestOrder = new ArrayList<>();
        for (TableEntry t : manifest.tables()) {
            rows.stream().filter(r -> r.schema().equals(t.schema()) && r.name().equals(t.name())).findFirst()
                    .ifPresent(inManifestOrder::add);
        }
        return inManifestOrder;
    }

    /** Loads the schema and the data into {@code target}, which is empty or is cleaned in the pre-data transaction. */
    List<TableRows> load(ConnectionTarget target, Manifest manifest, Path dir, boolean clean, DataStep data) {
        List<Part> pre = new ArrayList<>();
        if (clean) {
            pre.add(new Text(TargetSql.CLEAN));
        }
        pre.add(new FilePart(dir.resolve(DumpLayout.PRE_DATA)));
        listener.step((clean ? "cleaning the target and loading" : "loading") + " the pre-data schema");
        psql.runInTransaction(target, "pre-data schema (" + DumpLayout.PRE_DATA + ")", pre);

        List<TableRows> rows = data.load(target);

        if (!manifest.largeObjects().isEmpty()) {
            listener.step("loading " + manifest.largeObjects().size() + " large objects under their own OIDs");
            try (Connection c = open(target)) {
                LargeObjectSink.load(c, dir, manifest);
            } catch (SQLException e) {
                throw new PgsubsetException("loading the large objects failed: " + Messages.firstLine(e), e);
            }
        }
        listener.step("loading the post-data schema (indexes, constraints, triggers)");
        psql.runInTransaction(target, "post-data schema (" + DumpLayout.POST_DATA + ")",
                List.of(new FilePart(dir.resolve(DumpLayout.POST_DATA))));
        String refresh = MaterializedViewRefresh.sql(manifest.materializedViews());
        listener.step(refresh.isEmpty() ? "setting sequences" : "setting sequences, refreshing materialized views");
        psql.runInTransaction(target, "sequences (" + DumpLayout.SEQUENCES + ") and materialized views",
                List.of(new FilePart(dir.resolve(DumpLayout.SEQUENCES)), new Text(refresh)));
        listener.step("ANALYZE");
        try (Connection c = open(target); Statement st = c.createStatement()) {
            st.execute("ANALYZE");
        } catch (SQLException e) {
            throw new PgsubsetException("ANALYZE of " + target + " failed: " + Messages.firstLine(e), e);
        }
        return rows;
    }

    /**
     * After a failed load: when a data file is damaged (a truncated file usually breaks its COPY
     * before its checksum is complete), that is the error to report, and the pre-data schema is
     * dropped again, so the target (empty before, as no --clean was given) holds nothing of the dump.
     */
    private RuntimeException damagedOr(RuntimeException e, ConnectionTarget target, Path dir) {
        if (e instanceof io.pgsubset.error.Interrupted) {
            return e;
        }
        try {
            DumpCheck.check(dir);
            return e;
        } catch (UsageException damaged) {
            listener.step("a data file is damaged: dropping the pre-data schema again");
            psql.runInTransaction(target, "dropping the pre-data schema", List.of(new Text(TargetSql.CLEAN)));
            return new UsageException(damaged.getMessage() + "; no data was committed");
        }
    }

    private static final String IS_SOURCE = """
            SELECT pg_catalog.current_database() = ? AND coalesce((%s) = ?, false)""".formatted(
            TargetSql.SYSTEM_IDENTIFIER);

    /** Refuses the dump's own source: same system identifier and database name (exit 2, naming both). */
    public static void refuseSource(Connection c, Manifest.Source source, String db) throws SQLException {
        Optional<String> sysid = source.systemIdentifier();
        if (sysid.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(IS_SOURCE)) {
            ps.setString(1, source.database());
            ps.setString(2, sysid.get());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw new UsageException("the target is the dump's own source (database \"" + db
                            + "\", system identifier " + sysid.get() + "): refusing to restore into it; "
                            + "choose another database");
                }
            }
        }
    }

    static void refuseNonEmpty(Connection c, String db) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(TargetSql.USER_OBJECTS)) {
            rs.next();
            long objects = rs.getLong(1);
            if (objects > 0) {
                throw new UsageException("the target database \"" + db + "\" is not empty (" + objects
                        + " schemas, tables, types, routines, extensions or large objects): add --clean to replace its content, "
                        + "--create to restore into a new database, or --replace " + db
                        + " to swap in a fresh copy");
            }
        }
    }

    private static Connection open(ConnectionTarget target) {
        return Connector.toTarget(target).open();
    }

    /** The target's first connection: a database that does not exist is named with the flag that makes it. */
    private static Connection openTarget(ConnectionTarget target, boolean created) {
        try {
            return open(target);
        } catch (UsageException e) {
            if (!created && e.getCause() instanceof SQLException s && "3D000".equals(s.getSQLState())) {
                throw new UsageException(e.getMessage() + "; add --create to restore into a new database", e);
            }
            throw e;
        }
    }
}
