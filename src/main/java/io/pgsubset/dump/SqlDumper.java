package io.pgsubset.dump;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.Table;
import io.pgsubset.copy.Sink;
import io.pgsubset.copy.Tee;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.manifest.ScriptManifest;
import io.pgsubset.plan.PlanJson;
import io.pgsubset.format.DumpLayout;
import io.pgsubset.format.LargeObjectSql;
import io.pgsubset.format.MaterializedViewRefresh;
import io.pgsubset.subset.Subset;
import io.pgsubset.subset.TableSubset;
import io.pgsubset.tools.PgPrograms;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * {@code pgsubset dump --format sql}: the snapshot, plan, closure, transforms and schema of a
 * directory dump, written as one psql script ({@link SqlScript}) to a file or standard output. The
 * rows stream from each table's {@code COPY ... TO STDOUT (FORMAT csv)} through the row digest and
 * {@link CsvToText} straight into the script, one table after the other on the snapshot's own
 * connection: nothing is held per table, and the first bytes leave before the data is read.
 */
public final class SqlDumper {
    private final SourceConnection connection;
    private final PgPrograms programs;
    private final Optional<Path> pgDumpPath;
    private final DumpListener listener;

    public SqlDumper(SourceConnection connection, PgPrograms programs, Optional<Path> pgDumpPath,
                     DumpListener listener) {
        this.connection = connection;
        this.programs = programs;
        this.pgDumpPath = pgDumpPath;
        this.listener = listener;
    }

    /** A finished script: where it went, its manifest, how long it took. */
    public record Result(String written, Manifest manifest, long nanos) {
        public long totalRows() {
            return manifest.tables().stream().mapToLong(Manifest.TableEntry::rows).sum();
        }

        public long totalBytes() {
            return manifest.tables().stream().mapToLong(Manifest.TableEntry::bytes).sum();
        }
    }

    public Result run(ScriptRequest request, ScriptOutput output) {
        return run(request, output, source -> {
        });
    }

    /**
     * The same, with {@code beforeWriting} called on the source as the manifest names it once the
     * snapshot is open and before a byte is written (clone refuses its target there).
     */
    public Result run(ScriptRequest request, ScriptOutput output, Consumer<Manifest.Source> beforeWriting) {
        long started = System.nanoTime();
        Path work = SourceSnapshot.workDirectory("pgsubset-sql-");
        try (SourceSnapshot source = SourceSnapshot.open(connection, programs, pgDumpPath, listener,
                request.source(), 0)) {
            beforeWriting.accept(source.source());
            PhaseTimer timer = source.listener();
            // the script is UTF-8 throughout: pg_dump writes the schema in it, as COPY sends the rows
            SourceSnapshot.SchemaRun schema = source.startSchema(work, failure -> {
            }, Optional.of("UTF8"));
            try {
                Manifest manifest = write(request, output, source, schema, work, timer);
                timer.record("total", System.nanoTime() - started);
                return new Result(output.describe(), manifest, System.nanoTime() - started);
            } finally {
                schema.stop();
            }
        } finally {
            DumpDirectory.deleteTree(work);
        }
    }

    private Manifest write(ScriptRequest request, ScriptOutput output, SourceSnapshot source,
                           SourceSnapshot.SchemaRun schema, Path work, PhaseTimer timer) {
        Catalog catalog = source.catalog();
        Subset subset = source.subset();
        List<Manifest.SequenceEntry> sequences = source.sequences();
        // no data files: the rows are in the script
        List<DataDump.Job> jobs = new ArrayList<>(SourceSnapshot.jobs(catalog, subset, false).stream()
                .map(j -> new DataDump.Job(j.table(), j.subset(), "", j.weight())).toList());
        jobs.sort(Comparator.comparing((DataDump.Job j) -> j.table().name().schema())
                .thenComparing(j -> j.table().name().name()));
        timer.planned(jobs.stream().map(j -> new DumpListener.PlannedTable(j.table().name(),
                j.subset().plan().mode().keyword(), j.subset().rows())).toList());
        LargeObjectSource largeObjects = new LargeObjectSource(source.leader().connection(), request.source().transformKey());
        LargeObjectSource.Selection selected = timer.time("large objects (which)", () -> largeObjects.select(jobs));
        List<Manifest.MaterializedViewEntry> views = source.materializedViews();
        Optional<SqlScript.Clean> clean = switch (request.clean()) {
            case NONE -> Optional.empty();
            case DUMPED_OBJECTS -> Optional.of(new SqlScript.Clean(source.plan().schemas(), source.extensions(),
                    List.copyOf(selected.oids()), false));
            case EVERYTHING -> Optional.of(SqlScript.Clean.everythingInTheTarget());
        };
        timer.time("waiting for the schema", schema::await);
        timer.step("schema written by " + schema.pgDumpPath());
        String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        OutputStream stream = compressed(output.stream(), request.compress());
        SqlScript script = new SqlScript(stream, token);
        boolean[] inCopy = {false};
        try {
            script.header(header(request, source, jobs));
            script.begin(source.source(), clean);
            script.section(ScriptManifest.PRE_DATA, work.resolve(DumpLayout.PRE_DATA));
            List<Manifest.TableEntry> entries = timer.time("data", () -> copyAll(source, request, jobs, script, inCopy));
            script.section(ScriptManifest.POST_DATA, work.resolve(DumpLayout.POST_DATA));
            script.statements(SequenceDump.sql(sequences));
            List<Manifest.LargeObjectEntry> objects = timer.time("large objects",
                    () -> largeObjects(largeObjects, selected, script, request.source().keepOwners()));
            script.statements(MaterializedViewRefresh.sql(views));
            script.statements(analyze(jobs));
            Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, request.toolVersion(), source.source(),
                    source.snapshotTime(), request.compress(), request.source().keepOwners(),
                    ManifestIO.tree(PlanJson.of(source.plan())), entries, sequences, views, objects,
                    selected.dangling(), timer.phases(), Optional.of(source.database()));
            script.manifest(ManifestIO.bytes(manifest));
            script.check(checks(jobs, entries));
            script.commit();
            finish(stream);
            output.commit();
            return manifest;
        } catch (IOException e) {
            throw DumpErrors.io("could not write the SQL script to " + output.describe(), e);
        } catch (RuntimeException e) {
            script.abort(Messages.firstLine(e), inCopy[0]);
            finishQuietly(stream);
            throw e;
        }
    }

    private static OutputStream compressed(OutputStream out, boolean gzip) {
        if (!gzip) {
            return out;
        }
        try {
            return new GZIPOutputStream(out, 1 << 16);
        } catch (IOException e) {
            throw DumpErrors.io("could not start the gzip stream", e);
        }
    }

    private static void finish(OutputStream stream) throws IOException {
        if (stream instanceof GZIPOutputStream gzip) {
            gzip.finish();
        }
        stream.flush();
    }

    private static void finishQuietly(OutputStream stream) {
        try {
            finish(stream);
        } catch (IOException e) {
            // the reader is gone; what it got has no COMMIT
            return;
        }
    }

    /** What a reader of the script should know before the statements: the manifest's information so far. */
    private static List<String> header(ScriptRequest request, SourceSnapshot source, List<DataDump.Job> jobs) {
        Manifest.Source s = source.source();
        List<String> lines = new ArrayList<>(List.of(
                "Load with: psql -v ON_ERROR_STOP=1 -d TARGET -f FILE (or: ... | psql -v ON_ERROR_STOP=1 -d TARGET)",
                "One transaction: a script cut anywhere, or a table whose rows differ at the end, loads nothing.",
                "tool: " + request.toolVersion(),
                "source: PostgreSQL " + s.serverVersion() + ", database " + s.database()
                        + s.systemIdentifier().map(id -> ", system identifier " + id).orElse(""),
                "snapshot: " + source.snapshotTime(),
                "target: " + switch (request.clean()) {
                    case NONE -> "must be empty (the script refuses a non-empty database before it changes anything)";
                    case DUMPED_OBJECTS -> "the dump's schemas, extensions and large objects are dropped first";
                    case EVERYTHING -> "every schema, extension and large object is dropped first";
                },
                "rows and row digests per table are in the manifest at the end (pgsubset verify --manifest-from FILE)",
                "tables (mode, rows planned; ~ an estimate):"));
        for (DataDump.Job j : jobs) {
            TableSubset t = j.subset();
            lines.add("  " + j.table().name().display() + ": " + t.plan().mode().keyword() + ", "
                    + (t.counted() ? "" : "~") + t.rows());
        }
        lines.add("plan:");
        lines.add(ManifestIO.text(ManifestIO.tree(PlanJson.of(source.plan()))));
        return lines;
    }

    /**
     * Every table through the copy engine's source half, one piece after the other on the leader's
     * lane (one stream: never split, no workers), each into its COPY block.
     */
    private List<Manifest.TableEntry> copyAll(SourceSnapshot source, ScriptRequest request, List<DataDump.Job> jobs,
                                              SqlScript script, boolean[] inCopy) {
        TableCopier<SnapshotSession, Manifest.TableEntry> copier = new TableCopier<>(source.listener(),
                request.source().transformKey(), s -> s, (job, select, parts) -> new Block(job, select, script, inCopy),
                "copy");
        SnapshotSession leader = source.leader();
        return copier.run(leader, leader, () -> {
            throw new IllegalStateException("a SQL script is copied on the leader's connection alone");
        }, 1, new DataDump.Splitting(source.catalog().server().majorVersion(), 0), jobs);
    }

    /** One table's COPY block in the script: opened when its piece starts, ended with {@code \.} when it finishes. */
    private final class Block implements TableCopier.Destination<SnapshotSession, Manifest.TableEntry> {
        private final DataDump.Job job;
        private final SelectList select;
        private final SqlScript script;
        private final boolean[] inCopy;

        Block(DataDump.Job job, SelectList select, SqlScript script, boolean[] inCopy) {
            this.job = job;
            this.select = select;
            this.script = script;
            this.inCopy = inCopy;
        }

        @Override
        public Sink open(SnapshotSession lane, int part) throws IOException {
            script.startCopy(job.table().name().sql(), select.columns());
            inCopy[0] = true;
            return new BlockSink(script, select.columns().size());
        }

        @Override
        public Optional<Manifest.TableEntry> arrived(int part, Sink.Arrived arrived, long csvBytes, long nanos) {
            inCopy[0] = false;
            return Optional.of(DataDump.finished(listener, job, select,
                    new SplitFile.Totals(arrived.rows(), csvBytes, "", arrived.rowDigest(), nanos)));
        }

        @Override
        public RuntimeException failed(int part, IOException e) {
            return DumpErrors.io("could not write the rows of " + job.table().name().display()
                    + " into the SQL script", e);
        }
    }

    /** The source's CSV hashed as the directory format hashes it, then written as COPY text format. */
    private static final class BlockSink extends Sink {
        private final SqlScript script;
        private final CsvToText text;
        private final Tee tee;

        BlockSink(SqlScript script, int columns) {
            this.script = script;
            this.text = new CsvToText(script.data(), columns);
            this.tee = new Tee(text, false);
        }

        @Override
        public void write(int b) throws IOException {
            tee.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            tee.write(b, off, len);
        }

        @Override
        public boolean header() {
            return false;
        }

        @Override
        public long rows() {
            return tee.rows();
        }

        @Override
        public Arrived finish() throws IOException {
            text.close();
            if (!text.atRowStart()) {
                throw new IOException("the server's CSV ended inside a row");
            }
            script.endCopy();
            return new Arrived(tee.rows(), tee.digest());
        }

        /** An unfinished block stays open in the script: the run fails, and its abort ends it. */
        @Override
        public void close() {
        }
    }

    /** Each object under its OID, a chunk per statement (never whole in memory), then owner and grants. */
    private static List<Manifest.LargeObjectEntry> largeObjects(LargeObjectSource source,
                                                                LargeObjectSource.Selection selected,
                                                                SqlScript script, boolean keepOwners) {
        try {
            List<Manifest.LargeObjectEntry> objects = source.write(selected.oids(), (oid, reader) -> {
                try {
                    script.createLargeObject(oid);
                    long[] offset = {0};
                    return new LargeObjectSource.Stored("", reader.read(oid, chunk -> {
                        if (chunk.length > 0) {
                            script.largeObjectChunk(oid, offset[0], chunk);
                            offset[0] += chunk.length;
                        }
                    }));
                } catch (IOException e) {
                    throw DumpErrors.io("could not write large object " + oid + " into the SQL script", e);
                }
            });
            if (keepOwners) {
                for (Manifest.LargeObjectEntry lo : objects) {
                    script.statements(String.join("\n", LargeObjectSql.privileges(lo)));
                }
            }
            return objects;
        } catch (SQLException e) {
            throw new PgsubsetException("could not dump the large objects: " + Messages.firstLine(e), e);
        } catch (IOException e) {
            throw DumpErrors.io("could not write the large objects into the SQL script", e);
        }
    }

    /** ANALYZE of every loaded table, as restore runs it (inside the transaction: allowed, unlike VACUUM). */
    private static String analyze(List<DataDump.Job> jobs) {
        StringBuilder sb = new StringBuilder();
        for (DataDump.Job j : jobs) {
            sb.append("ANALYZE ").append(j.table().name().sql()).append(";\n");
        }
        return sb.toString();
    }

    /**
     * The row count each table must hold, read as the dump read it: ONLY but for a partitioned
     * table, and for an extension's configuration table only the rows its filter selects (the
     * others come with CREATE EXTENSION).
     */
    private static List<SqlScript.RowCheck> checks(List<DataDump.Job> jobs, List<Manifest.TableEntry> entries) {
        List<SqlScript.RowCheck> out = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            Table t = jobs.get(i).table();
            String from = (t.isPartitioned() ? "" : "ONLY ") + t.name().sql()
                    + t.extensionFilter().map(f -> " WHERE (" + f + ")").orElse("");
            out.add(new SqlScript.RowCheck(t.name().display(), from, entries.get(i).rows()));
        }
        return out;
    }

}
