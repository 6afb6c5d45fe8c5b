package io.pgsubset.dump;

import io.pgsubset.format.DumpLayout;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.files.OwnerOnly;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.Manifest.DanglingReference;
import io.pgsubset.manifest.Manifest.LargeObjectEntry;
import io.pgsubset.plan.Mode;
import io.pgsubset.sql.Ident;
import io.pgsubset.sql.LargeObjectReader;
import io.pgsubset.transform.TransformKey;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The dump's large objects, read in its snapshot: those referenced by the dumped rows of oid
 * columns (and of domains over oid, such as the lo extension's type), as written after transforms
 * and NULLing, or every large object when every table is dumped whole and untransformed, as
 * pg_dump does. Each goes to {@code large-objects/<oid>} through {@link LargeObjectReader}, with
 * its sha256, owner and grants for the manifest. References to no existing object are counted per
 * column, not fatal.
 */
final class LargeObjectSource {
    static final String DIR = DumpLayout.LARGE_OBJECTS_DIR;

    /** What the dump carries: the objects, and the references it could not satisfy. */
    record Result(List<LargeObjectEntry> objects, List<DanglingReference> dangling) {
    }

    private final Connection conn;
    private final TransformKey key;

    LargeObjectSource(Connection conn, TransformKey key) {
        this.conn = conn;
        this.key = key;
    }

    /** Columns of type oid, or of a domain over oid, that a dump writes, of all the given tables at once. */
    private static final String LO_COLUMNS = """
            SELECT a.attrelid, a.attname FROM pg_catalog.pg_attribute a
              JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
             WHERE a.attrelid = ANY (?::pg_catalog.oid[]) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
               AND (t.oid = 'pg_catalog.oid'::pg_catalog.regtype
                    OR (t.typtype = 'd' AND t.typbasetype = 'pg_catalog.oid'::pg_catalog.regtype))
             ORDER BY a.attrelid, a.attnum""";

    Result dump(Path dumpDir, List<DataDump.Job> jobs) {
        Selection selection = select(jobs);
        try {
            return new Result(write(selection.oids(), files(dumpDir)), selection.dangling());
        } catch (SQLException e) {
            throw new PgsubsetException("could not dump the large objects: " + Messages.firstLine(e), e);
        }
    }

    /** The objects the dumped rows reference (or all of them), and the references to none. */
    record Selection(SortedSet<Long> oids, List<DanglingReference> dangling) {
    }

    Selection select(List<DataDump.Job> jobs) {
        try {
            SortedSet<Long> oids = new TreeSet<>();
            List<DanglingReference> dangling = new ArrayList<>();
            boolean referencedOnly = false;
            Map<Long, List<String>> loColumns = loColumns(jobs);
            for (DataDump.Job job : jobs) {
                List<String> columns = loColumns.getOrDefault(job.table().oid(), List.of());
                boolean whole = job.subset().plan().mode() instanceof Mode.Full
                        && job.subset().nulledColumns().isEmpty()
                        && columns.stream().noneMatch(job.subset().plan().transforms()::containsKey);
                referencedOnly |= !whole;
                if (!columns.isEmpty()) {
                    references(job, columns, oids, dangling);
                }
            }
            if (!referencedOnly) {
                oids.addAll(allObjects());
            }
            return new Selection(oids, dangling);
        } catch (SQLException e) {
            throw new PgsubsetException("could not dump the large objects: " + Messages.firstLine(e), e);
        }
    }

    /** Table oid -> its large-object columns, for the tables that have any. */
    private Map<Long, List<String>> loColumns(List<DataDump.Job> jobs) throws SQLException {
        Map<Long, List<String>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = conn.prepareStatement(LO_COLUMNS)) {
            ps.setArray(1, conn.createArrayOf("int8", jobs.stream().map(j -> j.table().oid()).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        return out;
    }

    /**
     * The OIDs the table's dumped rows hold in {@code columns}, through the same select list and
     * predicates as its COPY: a transformed or NULLed value counts as written.
     */
    private void references(DataDump.Job job, List<String> columns, SortedSet<Long> oids,
                            List<DanglingReference> dangling) throws SQLException {
        SelectList select = new SelectList(job.table(), CopyQuery.ALIAS, job.subset().nulledColumns(),
                job.subset().plan().transforms(), key);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            values.add("(" + i + ", s." + Ident.quote(columns.get(i)) + "::pg_catalog.oid)");
        }
        String from = (job.table().isPartitioned() ? "" : "ONLY ") + job.table().name().sql() + " " + CopyQuery.ALIAS;
        long[] rows = new long[columns.size()];
        Map<Integer, SortedSet<Long>> missing = new LinkedHashMap<>();
        for (String predicate : TableCopier.predicates(job.subset().selection())) {
            String sql = "SELECT v.i, v.o, pg_catalog.count(*), NOT EXISTS (SELECT 1 FROM "
                    + "pg_catalog.pg_largeobject_metadata m WHERE m.oid = v.o) FROM (SELECT " + select.sql() + " FROM "
                    + from + " WHERE " + predicate + ") s CROSS JOIN LATERAL (VALUES " + String.join(", ", values)
                    + ") v(i, o) WHERE v.o IS NOT NULL GROUP BY v.i, v.o";
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int column = rs.getInt(1);
                        long oid = rs.getLong(2);
                        if (rs.getBoolean(4)) {
                            rows[column] += rs.getLong(3);
                            missing.computeIfAbsent(column, c -> new TreeSet<>()).add(oid);
                        } else {
                            oids.add(oid);
                        }
                    }
                }
            }
        }
        missing.forEach((column, set) -> dangling.add(new DanglingReference(job.table().name().schema(),
                job.table().name().name(), columns.get(column), rows[column], set.size())));
    }

    private List<Long> allObjects() throws SQLException {
        List<Long> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT oid FROM pg_catalog.pg_largeobject_metadata ORDER BY oid");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /** Owner and the grants other than the owner's own, per object. */
    private static final String METADATA = """
            WITH grants (who, what) AS (
                SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                       a.privilege_type
                  FROM pg_catalog.pg_largeobject_metadata m, pg_catalog.aclexplode(m.lomacl) a
                 WHERE m.oid = ? AND a.grantee <> m.lomowner)
            SELECT m.oid, pg_catalog.pg_get_userbyid(m.lomowner),
                   ARRAY(SELECT g.who FROM grants g ORDER BY g.who, g.what),
                   ARRAY(SELECT g.what FROM grants g ORDER BY g.who, g.what)
              FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid = ?""";

    /** Where each object's bytes go, read a chunk at a time; the entry's file (empty: no file of its own). */
    interface Store {
        Stored store(long oid, LargeObjectReader reader) throws SQLException;
    }

    record Stored(String file, LargeObjectReader.Digest digest) {
    }

    /** Every object into {@code large-objects/<oid>} of the dump directory. */
    private static Store files(Path dumpDir) {
        return (oid, reader) -> {
            Path dir = dumpDir.resolve(DIR);
            try {
                if (!Files.isDirectory(dir)) {
                    OwnerOnly.createDirectory(dir);
                }
            } catch (IOException e) {
                throw DumpErrors.io("could not create " + dir, e);
            }
            String file = DIR + "/" + oid;
            return new Stored(file, copy(reader, oid, dumpDir.resolve(file)));
        };
    }

    /** Stores every object and reads its owner and grants for the manifest. */
    List<LargeObjectEntry> write(SortedSet<Long> oids, Store store) throws SQLException {
        List<LargeObjectEntry> out = new ArrayList<>();
        if (oids.isEmpty()) {
            return out;
        }
        try (PreparedStatement meta = conn.prepareStatement(METADATA);
             LargeObjectReader reader = new LargeObjectReader(conn)) {
            for (long oid : oids) {
                Stored stored = store.store(oid, reader);
                meta.setLong(1, oid);
                meta.setLong(2, oid);
                try (ResultSet rs = meta.executeQuery()) {
                    rs.next();
                    out.add(new LargeObjectEntry(oid, stored.file(), stored.digest().bytes(), stored.digest().sha256(),
                            rs.getString(2), grants(rs.getArray(3), rs.getArray(4))));
                }
            }
        }
        return out;
    }

    /** Streams one object to {@code file} a chunk at a time. */
    private static LargeObjectReader.Digest copy(LargeObjectReader reader, long oid, Path file) throws SQLException {
        try (OutputStream out = new BufferedOutputStream(OwnerOnly.newOutputStream(file), 1 << 16)) {
            return reader.read(oid, out::write);
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + file, e);
        }
    }

    private static List<Manifest.Grant> grants(Array grantees, Array privileges) throws SQLException {
        String[] who = (String[]) grantees.getArray();
        String[] what = (String[]) privileges.getArray();
        List<Manifest.Grant> out = new ArrayList<>();
        for (int i = 0; i < who.length; i++) {
            out.add(new Manifest.Grant(who[i], what[i]));
        }
        return out;
    }
}
