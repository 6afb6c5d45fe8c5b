package io.pgsubset.dump;

import io.pgsubset.format.DataFileNames;
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
import io.pgsubset.plan.PlanJson;
import io.pgsubset.plan.ResolvedPlan;
import io.pgsubset.plan.TablePlan;
import io.pgsubset.subset.Closure;
import io.pgsubset.subset.Subset;
import io.pgsubset.subset.TableSubset;
import io.pgsubset.tools.PgProgram;
import io.pgsubset.tools.PgPrograms;
import io.pgsubset.transform.TransformKey;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The source side of a dump or a clone: the leader's snapshot, the catalog and resolved plan read
 * in it, every planned table locked ACCESS SHARE, pg_dump's schema on the same snapshot, the
 * subset's exact rows, the sequences. What is done with the rows (data files, or a target
 * database) is the caller's. Never writes to the source.
 */
public final class SourceSnapshot implements AutoCloseable {
    /**
     * @param lockWaitTimeout how long to wait for each ACCESS SHARE lock ({@code lock_timeout} syntax)
     * @param partBytes       with jobs > 1, the size of the block ranges a big table is copied in (0: never split)
     * @param limits          what the dump may take from the source: statement timeout, copy rate
     */
    public record Options(PlanSource plan, OptionalLong maxRows, Optional<String> lockWaitTimeout, boolean keepOwners,
                          TransformKey transformKey, long partBytes, SourceLimits limits) {
    }

    private final Connector connector;
    private final PhaseTimer listener;
    private final Options options;
    private final SnapshotSession leader;
    private final Catalog catalog;
    private final ResolvedPlan plan;
    private final PgProgram pgDump;
    private final PgProgram pgRestore;
    private final CancelOnExit cancelOnExit;

    private SourceSnapshot(Connector connector, PhaseTimer listener, Options options, SnapshotSession leader,
                           CancelOnExit cancelOnExit, Catalog catalog, ResolvedPlan plan, PgProgram pgDump,
                           PgProgram pgRestore) {
        this.connector = connector;
        this.listener = listener;
        this.options = options;
        this.leader = leader;
        this.catalog = catalog;
        this.plan = plan;
        this.pgDump = pgDump;
        this.pgRestore = pgRestore;
        this.cancelOnExit = cancelOnExit;
    }

    /**
     * Exports the snapshot, reads the catalog, resolves the plan and locks its tables. The locks
     * come before pg_dump starts: pg_dump then waits for a lock only when another session's
     * request is queued behind them, and its lock timeout ends that stall. The connections of
     * {@code workers} copy workers open meanwhile (0: none will copy, or they open their own).
     */
    public static SourceSnapshot open(SourceConnection source, PgPrograms programs, Optional<Path> pgDumpPath,
                                      DumpListener listener, Options options, int workers) {
        PhaseTimer timer = new PhaseTimer(listener);
        ClientTools tools = ClientTools.lookUp(programs, pgDumpPath, timer);
        Connector connector = source.connector();
        Leader started;
        try {
            started = timer.time("connect", () -> {
                Optional<SnapshotAhead> ahead = claim(source.ahead());
                return new Leader(ahead, SnapshotSession.export(ahead.map(SnapshotAhead::begun), connector,
                        options.lockWaitTimeout(), options.limits().statementTimeout(), options.limits().maxRate(),
                        workers));
            });
        } catch (RuntimeException e) {
            throw tools.orPgDumpFailure(e);
        }
        SnapshotSession leader = started.session();
        Optional<SnapshotAhead> ahead = started.ahead();
        CancelOnExit cancelOnExit = CancelOnExit.watch(leader);
        try {
            PgProgram pgDump = tools.pgDump();
            timer.step("snapshot " + leader.snapshotId() + " at " + leader.snapshotTime()
                    + (ahead.isPresent() ? ", begun with the catalog while the command started" : ""));
            leader.standby().filter(s -> !s.feedback()).ifPresent(s -> listener.warning(SourceFailures.standbyRisk(s)));
            Catalog catalog;
            if (ahead.isPresent()) {
                catalog = ahead.get().catalog();
                timer.record("catalog", ahead.get().catalogNanos());
            } else {
                catalog = timer.time("catalog", () -> readCatalog(leader.connection()));
            }
            pgDump.requireAtLeast(catalog.server().majorVersion());
            PgProgram pgRestore = tools.pgRestore().requireAtLeast(pgDump);
            ResolvedPlan plan = timer.time("plan", () -> options.plan().resolve(leader.connection(), catalog));
            List<Table> tables = tablesOf(catalog, plan);
            timer.time("locks", () -> lock(leader.connection(), tables));
            timer.step("locked " + tables.size() + " tables");
            return new SourceSnapshot(connector, timer, options, leader, cancelOnExit, catalog, plan, pgDump,
                    pgRestore);
        } catch (RuntimeException e) {
            cancelOnExit.close();
            try {
                leader.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** The leader, and what of its start was done ahead. */
    private record Leader(Optional<SnapshotAhead> ahead, SnapshotSession session) {
    }

    /** The snapshot begun ahead, once it is there; its failure is thrown as the leader's own would be. */
    private static Optional<SnapshotAhead> claim(Optional<CompletableFuture<SnapshotAhead>> ahead) {
        if (ahead.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(Background.await(ahead.get(), "the source's connection"))
                .filter(SnapshotAhead::claim);
    }

    /**
     * The catalog as a dump reads it. Sizes only weigh the jobs: pg_class's estimates do, without
     * opening every relation file.
     */
    static Catalog readCatalog(Connection conn) {
        return CatalogReader.read(conn, List.of(), CatalogReader.Sizes.ESTIMATED);
    }

    public Catalog catalog() {
        return catalog;
    }

    public ResolvedPlan plan() {
        return plan;
    }

    public String snapshotTime() {
        return leader.snapshotTime();
    }

    /** The source as the manifest records it (a restore or clone refuses to write into it). */
    public Manifest.Source source() {
        return new Manifest.Source(catalog.server().version(), catalog.server().versionNum(),
                catalog.server().systemIdentifier(), catalog.server().database());
    }

    /**
     * A private temporary directory for pg_dump's sections on their way elsewhere (a clone's
     * target, a SQL script): owner-only, since the schema may name what the source holds.
     */
    public static Path workDirectory(String prefix) {
        try {
            return OwnerOnly.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new PgsubsetException("could not create a temporary directory for the schema: "
                    + Messages.firstLine(e), e);
        }
    }

    /** pg_dump's two schema files, written into {@code dir}/schema in the background. */
    public SchemaRun startSchema(Path dir, Consumer<Throwable> onFailure) {
        return startSchema(dir, onFailure, Optional.empty());
    }

    /** The same, the sections in {@code encoding} (pg_dump --encoding) instead of the database's. */
    SchemaRun startSchema(Path dir, Consumer<Throwable> onFailure, Optional<String> encoding) {
        SchemaDump.Options schemaOptions = new SchemaDump.Options(pgDump, pgRestore,
                connector.target().childEnvironment(), leader.snapshotId(),
                listener.time("schema list", () -> schemaFilter(leader.connection(), plan)),
                extensionsOf(leader.connection(), plan), options.keepOwners(),
                Optional.of(options.lockWaitTimeout().orElse(SnapshotSession.WORKER_LOCK_TIMEOUT)), encoding);
        SchemaDump schemaDump = new SchemaDump(schemaOptions);
        CompletableFuture<Void> future = CompletableFuture.runAsync(
                () -> listener.time("schema (pg_dump and pg_restore, alongside)", () -> schemaDump.run(dir)));
        future.whenComplete((ok, e) -> {
            if (e != null) {
                onFailure.accept(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            }
        });
        SchemaRun run = new SchemaRun(schemaDump, future, pgDump);
        cancelOnExit.alsoStop(run::cancel);
        return run;
    }

    /** pg_dump's run: wait for it, or stop it. */
    public static final class SchemaRun {
        private final SchemaDump dump;
        private final CompletableFuture<Void> future;
        private final PgProgram pgDump;

        private SchemaRun(SchemaDump dump, CompletableFuture<Void> future, PgProgram pgDump) {
            this.dump = dump;
            this.future = future;
            this.pgDump = pgDump;
        }

        /** Waits for the schema files; pg_dump's failure is thrown. */
        public void await() {
            Background.await(future, "pg_dump");
        }

        /** Stops pg_dump (if it still runs) and waits for it, so its files are closed. */
        public void stop() {
            if (future.isDone()) {
                return;
            }
            dump.cancel();
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // the run already fails with its own error; pg_dump's is a consequence of stopping it
                return;
            }
        }

        void cancel() {
            dump.cancel();
        }

        public Path pgDumpPath() {
            return pgDump.path();
        }
    }

    /** The exact rows of every table (the engine also enforces max_rows before anything is copied). */
    public Subset subset() {
        Closure.Options closureOptions = closureOptions();
        Subset subset = listener.time("closure",
                () -> Closure.compute(leader.connection(), catalog, plan, closureOptions));
        subset.rounds().forEach(r -> listener.record("closure " + r.name() + " (+" + r.rows() + " rows)", r.nanos()));
        return subset;
    }

    private Closure.Options closureOptions() {
        // the server joins a follow table that is just its parents' children while copying it
        Closure.Options o = Closure.Options.defaults().withChildrenByParents(true);
        return options.maxRows().isPresent() ? o.withMaxRows(options.maxRows().getAsLong()) : o;
    }

    public List<Manifest.SequenceEntry> sequences() {
        return listener.time("sequences", () -> SequenceDump.read(leader.connection(), sequencesOf(catalog, plan)));
    }

    /**
     * Streams the subset's rows into a target: each table's (or block range's) COPY TO on a
     * session of the snapshot piped into a COPY FROM on a connection from {@code target}, {@code
     * jobs} pairs at once, largest first; the target commits only when every piece succeeded.
     * Tables whose rows come with their extension are left out, as a dump leaves them out.
     */
    public List<CopiedTable> copyInto(Subset subset, Supplier<Connection> target, int jobs) {
        List<DataDump.Job> work = jobs(catalog, subset, false);
        listener.planned(work.stream().map(j -> new DumpListener.PlannedTable(j.table().name(),
                j.subset().plan().mode().keyword(), j.subset().rows())).toList());
        return new StreamCopy(listener, options.transformKey()).run(leader, connector, target, jobs,
                new DataDump.Splitting(catalog.server().majorVersion(), options.partBytes()), work);
    }

    /** sequences.sql in {@code dir}: setval() for every sequence, as restore.sh and restore run it. */
    public static void writeSequences(Path dir, List<Manifest.SequenceEntry> sequences) {
        SequenceDump.write(dir, sequences);
    }

    /** The plan's materialized views in refresh order, as populated in the snapshot. */
    public List<Manifest.MaterializedViewEntry> materializedViews() {
        try {
            return MaterializedViews.read(leader.connection(), plan.schemas()).stream()
                    .map(v -> new Manifest.MaterializedViewEntry(v.name().schema(), v.name().name(), v.populated()))
                    .toList();
        } catch (SQLException e) {
            throw new PgsubsetException("could not list the materialized views: " + Messages.firstLine(e), e);
        }
    }

    /** The large objects the copied rows reference, written into {@code dir} as a dump carries them. */
    LargeObjectSource.Result largeObjects(Path dir, List<DataDump.Job> jobs) {
        leader.untimed();
        LargeObjectSource.Result result = listener.time("large objects",
                () -> new LargeObjectSource(leader.connection(), options.transformKey()).dump(dir, jobs));
        if (!result.objects().isEmpty()) {
            listener.step("large objects: " + result.objects().size());
        }
        return result;
    }

    /**
     * What a clone's target side needs besides the rows: the source (for the refusals), the
     * materialized views to refresh, and the large objects the subset references, written into
     * {@code work} (the clone's private directory) for the target to load; no tables.
     */
    public Manifest targetManifest(Path work, Subset subset, List<Manifest.SequenceEntry> sequences,
                                   String toolVersion) {
        LargeObjectSource.Result largeObjects = largeObjects(work, jobs(catalog, subset, false));
        return new Manifest(Manifest.FORMAT_VERSION, toolVersion, source(), snapshotTime(), false,
                options.keepOwners(), ManifestIO.tree(PlanJson.of(plan)), List.of(), sequences,
                materializedViews(), largeObjects.objects(), largeObjects.dangling(), listener.phases(),
                Optional.of(database()));
    }

    /** The source database's encoding, locale, settings and comment, which a target created for it takes. */
    public DatabaseProperties database() {
        return DatabaseProperties.read(leader.connection());
    }

    /** The extensions pg_dump creates for this plan, plpgsql (always there) left out. */
    List<String> extensions() {
        return extensionsOf(leader.connection(), plan).stream().filter(e -> !e.equals("plpgsql")).toList();
    }

    /**
     * {@code failure} as what it is when the leader's connection is gone: the snapshot every table
     * is read in went with it, so no worker can start on it again and the run cannot be completed
     * as one instant of the source. Otherwise {@code failure} itself.
     */
    public RuntimeException leaderLost(RuntimeException failure) {
        if (leader.alive()) {
            return failure;
        }
        return new PgsubsetException("lost the connection that holds the snapshot (" + Messages.firstLine(failure)
                + "): every table must be read in that snapshot, and it is gone with the connection, so the run "
                + "stopped; nothing was kept: run it again", failure);
    }

    SnapshotSession leader() {
        return leader;
    }

    Connector connector() {
        return connector;
    }

    /** The caller's listener behind the timer that records every phase of this snapshot's work. */
    PhaseTimer listener() {
        return listener;
    }

    Options options() {
        return options;
    }

    /** Ends the snapshot's transaction, which releases the locks. */
    @Override
    public void close() {
        cancelOnExit.close();
        leader.close();
    }

    private static List<Table> tablesOf(Catalog catalog, ResolvedPlan plan) {
        List<Table> out = new ArrayList<>();
        for (TablePlan t : plan.tables()) {
            out.add(catalog.table(t.table()).orElseThrow(() -> new PgsubsetException("table "
                    + t.table().display() + " of the plan is not in the database's catalog")));
        }
        return out;
    }

    /**
     * Tables per LOCK statement: a statement per table cost a round trip and about 0.3 ms of client
     * CPU each, 0.15 s for 500 tables.
     */
    private static final int LOCK_BATCH = 1000;

    /**
     * Like pg_dump: no DDL can change a table between the snapshot and the end of its COPY. Many
     * tables per statement; when one fails, the message still names the table that failed.
     */
    private static void lock(Connection conn, List<Table> tables) {
        lock(conn, tables, LOCK_BATCH);
    }

    static void lock(Connection conn, List<Table> tables, int batchSize) {
        try (Statement st = conn.createStatement()) {
            for (int from = 0; from < tables.size(); from += batchSize) {
                List<Table> batch = tables.subList(from, Math.min(tables.size(), from + batchSize));
                Optional<SQLException> failed = TableLocks.tryLock(st, batch, false);
                if (failed.isPresent()) {
                    Optional<Table> blocked = blockedBy(conn, batch, failed.get());
                    if (blocked.isPresent()) {
                        throw lockFailure(blocked.get(), failed.get());
                    }
                    lockEach(st, batch);
                }
            }
        } catch (SQLException e) {
            throw new PgsubsetException("could not lock the dumped tables: " + Messages.firstLine(e), e);
        }
    }

    private static void lockEach(Statement st, List<Table> tables) {
        for (Table t : tables) {
            try {
                st.execute(TableLocks.sql(List.of(t), false));
            } catch (SQLException e) {
                throw lockFailure(t, e);
            }
        }
    }

    private static PgsubsetException lockFailure(Table t, SQLException e) {
        return new PgsubsetException("could not lock table " + t.name().display() + " (ACCESS SHARE): "
                + Messages.firstLine(e) + ("55P03".equals(e.getSQLState())
                ? "; another session holds a conflicting lock: retry, or raise --lock-wait-timeout"
                : ""), e);
    }

    /** Another session's ACCESS EXCLUSIVE lock, held or queued, on a table of the batch. */
    private static final String BLOCKED_SQL = """
            SELECT l.relation::pg_catalog.int8 FROM pg_catalog.pg_locks l
             WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock'
               AND l.pid <> pg_catalog.pg_backend_pid()
               AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
                                  WHERE d.datname = pg_catalog.current_database())
               AND l.relation::pg_catalog.int8 = ANY (?)""";

    /**
     * The table a lock timeout of the batch waited for: the first of the batch another session
     * holds or waits for an ACCESS EXCLUSIVE lock on, so that a timeout is waited for once, not
     * twice; empty when there is none (then each table's own LOCK finds it, or the lock is gone).
     */
    private static Optional<Table> blockedBy(Connection conn, List<Table> batch, SQLException failure)
            throws SQLException {
        if (!"55P03".equals(failure.getSQLState())) {
            return Optional.empty();
        }
        try (PreparedStatement ps = conn.prepareStatement(BLOCKED_SQL)) {
            ps.setArray(1, conn.createArrayOf("int8", batch.stream().map(Table::oid).toArray()));
            Set<Long> blocked = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    blocked.add(rs.getLong(1));
                }
            }
            // the first in the batch's order, as locking one by one would have found it
            return batch.stream().filter(t -> blocked.contains(t.oid())).findFirst();
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

    private static long estimatedRows(Catalog catalog, Table table) {
        return Math.round(catalog.estimatedRows(table.name()).orElse(0));
    }

    /** One job per table with a data file: tables whose rows come with their extension have none. */
    static List<DataDump.Job> jobs(Catalog catalog, Subset subset, boolean gzip) {
        return jobs(catalog, subset.tables().stream().map(t -> t.plan().table()).toList(), subset.tables(), gzip);
    }

    /**
     * The jobs of the full tables the closure cannot change ({@link Closure#settledBeforehand}),
     * equal to their jobs in {@link #jobs} once the subset is known: they may copy while it is computed.
     */
    List<DataDump.Job> settledJobs(boolean gzip) {
        return jobs(catalog, plan.tables().stream().map(TablePlan::table).toList(),
                Closure.settledBeforehand(catalog, plan, closureOptions()), gzip);
    }

    /** Data file names are given over every table of the plan (in its order), so both lists name a table alike. */
    private static List<DataDump.Job> jobs(Catalog catalog, List<QualifiedName> planned, List<TableSubset> tables,
                                           boolean gzip) {
        Map<QualifiedName, String> files = DataFileNames.assign(planned.stream()
                .filter(t -> !catalog.require(t).extensionOwnedData()).toList(), gzip);
        List<DataDump.Job> out = new ArrayList<>();
        for (TableSubset t : tables) {
            Table table = catalog.require(t.plan().table());
            if (!table.extensionOwnedData()) {
                out.add(new DataDump.Job(table, t, files.get(table.name()), weight(catalog, table, t.rows())));
            }
        }
        return out;
    }

    /** Estimated bytes to copy: rows times the table's average on-disk row width. */
    private static double weight(Catalog catalog, Table table, long rows) {
        TableSize size = catalog.treeSize(table.name());
        long estimated = Math.max(1, estimatedRows(catalog, table));
        return rows * Math.max(1.0, (double) (size.heap() + size.toast()) / estimated);
    }

}
