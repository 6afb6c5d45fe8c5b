package io.pgsubset.dump;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.catalog.MaterializedViews;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.Sequence;
import io.pgsubset.catalog.Table;
import io.pgsubset.catalog.TableSize;
import io.pgsubset.connect.Connector;
import io.pgsubset.database.DatabaseProperties;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.files.OwnerOnly;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.plan.ResolvedPlan;
import io.pgsubset.plan.TablePlan;
import io.pgsubset.restore.RestoreScript;
import io.pgsubset.subset.Closure;
import io.pgsubset.subset.Subset;
import io.pgsubset.subset.TableSubset;
import io.pgsubset.tools.PgProgram;
import io.pgsubset.tools.PgPrograms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code pgsubset dump}: one snapshot, ACCESS SHARE locks, the subset, pg_dump's schema sections,
 * a CSV per table, sequences, plan and manifest, written under a temporary name and renamed when
 * complete. Never writes to the source.
 */
public final class Dumper {
    private final Connector connector;
    private final PgPrograms programs;
    private final Optional<Path> pgDumpPath;
    private final DumpListener listener;

    public Dumper(Connector connector, PgPrograms programs, Optional<Path> pgDumpPath, DumpListener listener) {
        this.connector = connector;
        this.programs = programs;
        this.pgDumpPath = pgDumpPath;
        this.listener = listener;
    }

    public DumpResult run(DumpRequest request) {
        long started = System.nanoTime();
        PhaseTimer timer = new PhaseTimer(listener);
        DumpDirectory.check(request.output(), request.force());
        PgProgram pgDump = timer.time("find pg_dump", () -> programs.find("pg_dump", pgDumpPath));
        try (SnapshotSession leader = timer.time("connect",
                () -> SnapshotSession.export(connector, request.lockWaitTimeout()))) {
            listener.step("snapshot " + leader.snapshotId() + " at " + leader.snapshotTime());
            // Sizes only weigh the jobs: pg_class's estimates do, without opening every relation file.
            Catalog catalog = timer.time("catalog",
                    () -> CatalogReader.read(leader.connection(), List.of(), CatalogReader.Sizes.ESTIMATED));
            pgDump.requireAtLeast(catalog.server().majorVersion());
            PgProgram pgRestore = timer.time("find pg_restore",
                    () -> programs.findBeside("pg_restore", pgDump).requireAtLeast(pgDump));
            ResolvedPlan plan = timer.time("plan", () -> request.plan().resolve(leader.connection(), catalog));
            List<Table> tables = tablesOf(catalog, plan);
            try (DumpDirectory dir = DumpDirectory.create(request.output(), request.force())) {
                // The leader's locks come first: pg_dump then waits for a lock only when another
                // session's request is queued behind them, and its lock timeout ends that stall.
                lock(leader.connection(), tables);
                listener.step("locked " + tables.size() + " tables");
                SchemaDump.Options schemaOptions = new SchemaDump.Options(pgDump, pgRestore,
                        connector.target().childEnvironment(), leader.snapshotId(),
                        timer.time("schema list", () -> schemaFilter(leader.connection(), plan)),
                        extensionsOf(leader.connection(), plan),
                        request.keepOwners(),
                        Optional.of(request.lockWaitTimeout().orElse(SnapshotSession.WORKER_LOCK_TIMEOUT)));
                SchemaDump schemaDump = new SchemaDump(schemaOptions);
                dir.onAbort(schemaDump::cancel);
                DataDump data = new DataDump(timer, dir.path(), request.compress(), request.transformKey(),
                        new DataDump.Splitting(catalog.server().majorVersion(), request.partBytes()));
                // pg_dump starts (a process, a connection, its catalog queries) while the closure runs;
                // when it fails, the copy stops at once instead of finishing first.
                CompletableFuture<Void> schema = CompletableFuture.runAsync(
                        () -> timer.time("schema (pg_dump and pg_restore, alongside)", () -> schemaDump.run(dir.path())));
                schema.whenComplete((ok, e) -> {
                    if (e != null) {
                        data.abort(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                                ? e.getCause() : e);
                    }
                });
                try {
                    Subset subset = timer.time("closure", () -> subset(leader.connection(), catalog, plan,
                            request.maxRows()));
                    subset.rounds().forEach(r -> timer.record("closure " + r.name() + " (+" + r.rows() + " rows)",
                            r.nanos()));
                    List<Manifest.SequenceEntry> sequences = timer.time("sequences",
                            () -> SequenceDump.read(leader.connection(), sequencesOf(catalog, plan)));
                    List<Manifest.MaterializedViewEntry> views = materializedViews(leader.connection(), plan);
                    List<DataDump.Job> jobs = jobs(catalog, subset, request.compress());
                    listener.planned(jobs.stream().map(j -> new DumpListener.PlannedTable(j.table().name(),
                            j.subset().plan().mode().keyword(), j.subset().rows())).toList());
                    long synced = FileOutput.syncNanos();
                    List<Manifest.TableEntry> entries = timer.time("data",
                            () -> data.run(leader, connector, request.jobs(), jobs));
                    timer.record("fsync (data files, summed)", FileOutput.syncNanos() - synced);
                    LargeObjectSource.Result largeObjects = timer.time("large objects",
                            () -> largeObjects(leader.connection(), request, dir.path(), jobs));
                    SequenceDump.write(dir.path(), sequences);
                    timer.time("waiting for the schema", () -> await(schema));
                    listener.step("schema written by " + pgDump.path());
                    long writing = System.nanoTime();
                    Manifest manifest = manifest(request, catalog, plan, leader, entries, sequences, views,
                            largeObjects, timer.phases());
                    writeFiles(dir.path(), request, manifest);
                    dir.commit();
                    timer.record("manifest", System.nanoTime() - writing);
                    timer.record("total", System.nanoTime() - started);
                    return new DumpResult(dir.target(), manifest, System.nanoTime() - started);
                } finally {
                    if (!schema.isDone()) {
                        schemaDump.cancel();
                        awaitQuietly(schema);
                    }
                }
            }
        }
    }

    private static List<Table> tablesOf(Catalog catalog, ResolvedPlan plan) {
        List<Table> out = new ArrayList<>();
        for (TablePlan t : plan.tables()) {
            out.add(catalog.table(t.table()).orElseThrow(() -> new PgsubsetException("table "
                    + t.table().display() + " of the plan is not in the database's catalog")));
        }
        return out;
    }

    private static final String LOCK_SQL = "LOCK TABLE %s IN ACCESS SHARE MODE";

    /** Like pg_dump: no DDL can change a table between the snapshot and the end of its COPY. */
    private static void lock(Connection conn, List<Table> tables) {
        try (Statement st = conn.createStatement()) {
            for (Table t : tables) {
                try {
                    st.execute(String.format(LOCK_SQL, t.name().sql()));
                } catch (SQLException e) {
                    throw new PgsubsetException("could not lock table " + t.name().display() + " (ACCESS SHARE): "
                            + Messages.firstLine(e) + ("55P03".equals(e.getSQLState())
                            ? "; another session holds a conflicting lock: retry, or raise --lock-wait-timeout"
                            : ""), e);
                }
            }
        } catch (SQLException e) {
            throw new PgsubsetException("could not lock the dumped tables: " + Messages.firstLine(e), e);
        }
    }

    private static final String SCHEMAS_SQL = """
            SELECT n.nspname FROM pg_catalog.pg_namespace n
             WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                                  AND d.objid = n.oid AND d.deptype = 'e')""";

    /**
     * pg_dump's -n list: empty (the whole database, extensions included) when the plan covers
     * every user schema, else exactly the plan's schemas.
     */
    private static List<String> schemaFilter(Connection conn, ResolvedPlan plan) {
        Set<String> all = new HashSet<>();
        try (PreparedStatement ps = conn.prepareStatement(SCHEMAS_SQL); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new PgsubsetException("could not list the schemas: " + Messages.firstLine(e), e);
        }
        return plan.schemas().containsAll(all) ? List.of() : plan.schemas();
    }

    /** Extensions that live in the plan's schemas (or in pg_catalog), which a restore of them needs. */
    private static final String EXTENSIONS_SQL = """
            SELECT e.extname FROM pg_catalog.pg_extension e
              JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
             WHERE n.nspname = ANY (?::text[]) OR n.nspname = 'pg_catalog'
             ORDER BY 1""";

    private static List<String> extensionsOf(Connection conn, ResolvedPlan plan) {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(EXTENSIONS_SQL)) {
            ps.setArray(1, conn.createArrayOf("text", plan.schemas().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new PgsubsetException("could not list the extensions: " + Messages.firstLine(e), e);
        }
        return out;
    }

    private static List<Sequence> sequencesOf(Catalog catalog, ResolvedPlan plan) {
        Set<String> schemas = Set.copyOf(plan.schemas());
        return catalog.sequences().stream()
                .filter(s -> schemas.contains(s.name().schema()) && s.extension().isEmpty())
                .toList();
    }

    /** The large objects the dumped rows reference; a reference to none is in the manifest, not an error. */
    private LargeObjectSource.Result largeObjects(Connection conn, DumpRequest request, Path dir,
                                                  List<DataDump.Job> jobs) {
        LargeObjectSource.Result result = new LargeObjectSource(conn, request.transformKey()).dump(dir, jobs);
        if (!result.objects().isEmpty()) {
            listener.step("large objects: " + result.objects().size());
        }
        return result;
    }

    /** The plan's materialized views in refresh order, as populated in the snapshot. */
    private static List<Manifest.MaterializedViewEntry> materializedViews(Connection conn, ResolvedPlan plan) {
        try {
            return MaterializedViews.read(conn, plan.schemas()).stream()
                    .map(v -> new Manifest.MaterializedViewEntry(v.name().schema(), v.name().name(), v.populated()))
                    .toList();
        } catch (SQLException e) {
            throw new PgsubsetException("could not list the materialized views: " + Messages.firstLine(e), e);
        }
    }

    /** The exact rows of every table (the engine also enforces max_rows before anything is written). */
    private static Subset subset(Connection conn, Catalog catalog, ResolvedPlan plan, OptionalLong maxRows) {
        // the server joins a follow table that is just its parents' children while copying it
        Closure.Options options = Closure.Options.defaults().withChildrenByParents(true);
        if (maxRows.isPresent()) {
            options = options.withMaxRows(maxRows.getAsLong());
        }
        return Closure.compute(conn, catalog, plan, options);
    }

    private static long estimatedRows(Catalog catalog, Table table) {
        double rows = table.estimatedRows().orElse(0);
        for (QualifiedName p : catalog.allPartitions(table.name())) {
            rows += catalog.require(p).estimatedRows().orElse(0);
        }
        return Math.round(rows);
    }

    /** One job per table with a data file: tables whose rows come with their extension have none. */
    private static List<DataDump.Job> jobs(Catalog catalog, Subset subset, boolean gzip) {
        List<TableSubset> dumped = subset.tables().stream()
                .filter(t -> !catalog.require(t.plan().table()).extensionOwnedData())
                .toList();
        Map<QualifiedName, String> files = DataFileNames.assign(dumped.stream().map(t -> t.plan().table()).toList(),
                gzip);
        List<DataDump.Job> out = new ArrayList<>();
        for (TableSubset t : dumped) {
            Table table = catalog.require(t.plan().table());
            out.add(new DataDump.Job(table, t, files.get(table.name()), weight(catalog, table, t.rows())));
        }
        return out;
    }

    /** Estimated bytes to copy: rows times the table's average on-disk row width. */
    private static double weight(Catalog catalog, Table table, long rows) {
        TableSize size = catalog.treeSize(table.name());
        long estimated = Math.max(1, estimatedRows(catalog, table));
        return rows * Math.max(1.0, (double) (size.heap() + size.toast()) / estimated);
    }

    private static void await(CompletableFuture<Void> schema) {
        try {
            schema.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgsubsetException("interrupted while waiting for pg_dump", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new PgsubsetException("pg_dump failed: " + Messages.firstLine(e.getCause()), e.getCause());
        }
    }

    /** After a failure: pg_dump is stopped; wait for it so its files are closed before the directory goes. */
    private static void awaitQuietly(CompletableFuture<Void> schema) {
        try {
            schema.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // the dump already fails with its own error; pg_dump's is a consequence of stopping it
            return;
        }
    }

    private static Manifest manifest(DumpRequest request, Catalog catalog, ResolvedPlan plan, SnapshotSession leader,
                                     List<Manifest.TableEntry> entries, List<Manifest.SequenceEntry> sequences,
                                     List<Manifest.MaterializedViewEntry> views,
                                     LargeObjectSource.Result largeObjects, List<Manifest.Phase> phases) {
        Manifest.Source source = new Manifest.Source(catalog.server().version(), catalog.server().versionNum(),
                catalog.server().systemIdentifier(), catalog.server().database());
        List<Manifest.TableEntry> sorted = entries.stream()
                .sorted(Comparator.comparing(Manifest.TableEntry::schema).thenComparing(Manifest.TableEntry::name))
                .toList();
        return new Manifest(Manifest.FORMAT_VERSION, request.toolVersion(), source, leader.snapshotTime(),
                request.compress(), request.keepOwners(), ManifestIO.mapper().valueToTree(io.pgsubset.plan.PlanJson.of(plan)), sorted, sequences, views,
                largeObjects.objects(), largeObjects.dangling(), phases,
                Optional.of(DatabaseProperties.read(leader.connection())));
    }

    static final String PLAN_FILE = "plan.yaml";

    /** plan.yaml, restore.sh, then manifest.json last: its presence marks a complete dump. */
    private static void writeFiles(Path dir, DumpRequest request, Manifest manifest) {
        try {
            OwnerOnly.writeString(dir.resolve(PLAN_FILE), request.planText());
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + dir.resolve(PLAN_FILE), e);
        }
        try {
            RestoreScript.write(dir, manifest);
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + dir.resolve(RestoreScript.FILE_NAME), e);
        }
        try {
            ManifestIO.write(dir, manifest);
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + dir.resolve(ManifestIO.FILE_NAME), e);
        }
    }
}
