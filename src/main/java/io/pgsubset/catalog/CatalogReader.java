package io.pgsubset.catalog;

import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Reads the catalog in a handful of set-based queries (never one per table), so it works the
 * same on ten tables and ten thousand. Needs nothing but SELECT on the system catalogs, so a
 * read-only role on a hot standby can run it.
 */
public final class CatalogReader {
    /** Relations of user schemas; {@code ?::text[]} narrows to given schemas when not NULL. */
    private static final String SCHEMA_FILTER = """
            n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
              AND (?::text[] IS NULL OR n.nspname = ANY (?::text[]))""";

    private static final String TABLES_SQL = """
            SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence,
                   CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::float8 END AS reltuples,
                   %s,
                   (SELECT e.extname FROM pg_catalog.pg_depend d
                      JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                     WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                       AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                       AND d.deptype = 'e' LIMIT 1) AS extname,
                   (SELECT x.extcondition[pg_catalog.array_position(x.extconfig, c.oid)]
                      FROM pg_catalog.pg_extension x WHERE c.oid = ANY (x.extconfig) LIMIT 1) AS config_filter,
                   EXISTS (SELECT 1 FROM pg_catalog.pg_extension x WHERE c.oid = ANY (x.extconfig)) AS is_config
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            %s
             WHERE c.relkind IN ('r', 'p') AND\s""" + SCHEMA_FILTER + """

             ORDER BY n.nspname, c.relname""";

    /** Sizes from the files: exact, but every table, index and TOAST table is opened and stat()ed. */
    private static final String EXACT_SIZES = """
            pg_catalog.pg_total_relation_size(c.oid) AS total_bytes,
                   pg_catalog.pg_relation_size(c.oid) AS heap_bytes,
                   pg_catalog.pg_indexes_size(c.oid) AS index_bytes,
                   CASE WHEN c.reltoastrelid <> 0
                        THEN pg_catalog.pg_total_relation_size(c.reltoastrelid) ELSE 0 END AS toast_bytes""";

    /** Sizes from pg_class.relpages, as of the last VACUUM, ANALYZE or CREATE INDEX: no file is touched. */
    private static final String ESTIMATED_SIZES = """
            h.bytes + x.bytes + t.bytes AS total_bytes, h.bytes AS heap_bytes,
                   x.bytes AS index_bytes, t.bytes AS toast_bytes""";

    private static final String ESTIMATED_SIZES_FROM = """
             CROSS JOIN LATERAL (SELECT pg_catalog.current_setting('block_size')::int8 AS size) bs
             CROSS JOIN LATERAL (SELECT GREATEST(c.relpages, 0)::int8 * bs.size AS bytes) h
             CROSS JOIN LATERAL (SELECT COALESCE(pg_catalog.sum(GREATEST(ic.relpages, 0)), 0)::int8
                                        * bs.size AS bytes
                                   FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                                  WHERE i.indrelid = c.oid) x
             CROSS JOIN LATERAL (SELECT COALESCE(pg_catalog.sum(GREATEST(tc.relpages, 0)), 0)::int8
                                        * bs.size AS bytes
                                   FROM pg_catalog.pg_class tc WHERE tc.oid = c.reltoastrelid) t""";

    /** How table sizes are read: only {@code sizes}-like output needs the exact ones. */
    public enum Sizes {
        /** From the relation files ({@code pg_total_relation_size}): exact, but costly on many tables. */
        EXACT,
        /** From {@code pg_class.relpages}: free, as current as the last VACUUM or ANALYZE; for scheduling. */
        ESTIMATED
    }

    private static String tablesSql(Sizes sizes) {
        return sizes == Sizes.EXACT
                ? TABLES_SQL.formatted(EXACT_SIZES, "")
                : TABLES_SQL.formatted(ESTIMATED_SIZES, ESTIMATED_SIZES_FROM);
    }

    private static final String INHERITS_SQL = """
            SELECT i.inhrelid, i.inhparent, c.relispartition
              FROM pg_catalog.pg_inherits i
              JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND\s""" + SCHEMA_FILTER + """

             ORDER BY i.inhrelid, i.inhseqno""";

    private static final String COLUMNS_SQL = """
            SELECT a.attrelid, a.attname, a.attnum,
                   pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
                   pg_catalog.format_type(a.atttypid, NULL) AS base_type,
                   a.attnotnull, a.attgenerated <> '' AS generated, a.attidentity, a.atthasdef
              FROM pg_catalog.pg_attribute a
              JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND\s""" + SCHEMA_FILTER + """

             ORDER BY a.attrelid, a.attnum""";

    /** Unique indexes that can be referenced by a foreign key: no predicate, no expressions. */
    private static final String KEYS_SQL = """
            SELECT i.indrelid, ic.relname, i.indisprimary,
                   ARRAY(SELECT a.attname
                           FROM pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                           JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                          WHERE k.ord <= i.indnkeyatts
                          ORDER BY k.ord) AS columns
              FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
              JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
               AND c.relkind IN ('r', 'p') AND\s""" + SCHEMA_FILTER + """

             ORDER BY i.indrelid, NOT i.indisprimary, ic.relname""";

    /** Only top-level constraints: partitions carry clones (conparentid <> 0) of their parent's. */
    private static final String FOREIGN_KEYS_SQL = """
            SELECT con.conname, con.conrelid, con.confrelid, con.condeferrable, con.convalidated,
                   ARRAY(SELECT a.attname FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                           JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                          ORDER BY k.ord) AS child_columns,
                   ARRAY(SELECT a.attname FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                           JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                          ORDER BY k.ord) AS parent_columns,
                   %s AS period
              FROM pg_catalog.pg_constraint con
              JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE con.contype = 'f' AND con.conparentid = 0 AND\s""" + SCHEMA_FILTER + """

             ORDER BY con.conrelid, con.conname""";

    private static final String SEQUENCES_SQL = """
            SELECT n.nspname, c.relname, tn.nspname AS owner_schema, t.relname AS owner_table,
                   a.attname AS owner_column,
                   (SELECT e.extname FROM pg_catalog.pg_depend d
                      JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                     WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                       AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                       AND d.deptype = 'e' LIMIT 1) AS extname
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid = c.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.deptype IN ('a', 'i')
              LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
              LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
              LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE c.relkind = 'S' AND\s""" + SCHEMA_FILTER + """

             ORDER BY n.nspname, c.relname""";

    private static final String SERVER_SQL = """
            SELECT pg_catalog.current_setting('server_version'),
                   pg_catalog.current_setting('server_version_num')::int,
                   pg_catalog.current_database(),
                   pg_catalog.pg_is_in_recovery(),
                   pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE')""";

    private CatalogReader() {
    }

    /** Reads every non-system schema. */
    public static Catalog read(Connection conn) {
        return read(conn, List.of());
    }

    /** Reads the given schemas, or every non-system schema when the list is empty, with exact sizes. */
    public static Catalog read(Connection conn, List<String> schemas) {
        return read(conn, schemas, Sizes.EXACT);
    }

    /** The same, with table sizes read as {@code sizes} says. */
    public static Catalog read(Connection conn, List<String> schemas, Sizes sizes) {
        try {
            ServerInfo server = readServer(conn);
            String[] filter = schemas.isEmpty() ? null : schemas.toArray(String[]::new);
            Map<Long, TableBuilder> builders = readTables(conn, filter, sizes);
            readInheritance(conn, filter, builders);
            readColumns(conn, filter, builders);
            readKeys(conn, filter, builders);
            List<ForeignKey> fks = readForeignKeys(conn, filter, builders, server.majorVersion());
            List<Sequence> sequences = readSequences(conn, filter);
            List<Table> tables = builders.values().stream().map(TableBuilder::build).toList();
            return new Catalog(server, tables, fks, sequences);
        } catch (SQLException e) {
            throw new PgsubsetException("could not read the catalog: " + Messages.firstLine(e), e);
        }
    }

    public static ServerInfo readServer(Connection conn) throws SQLException {
        try (PreparedStatement st = conn.prepareStatement(SERVER_SQL); ResultSet rs = st.executeQuery()) {
            rs.next();
            Optional<String> sysid = Optional.empty();
            if (rs.getBoolean(5)) {
                try (PreparedStatement s2 = conn.prepareStatement(
                        "SELECT system_identifier::text FROM pg_catalog.pg_control_system()");
                     ResultSet r2 = s2.executeQuery()) {
                    r2.next();
                    sysid = Optional.ofNullable(r2.getString(1));
                }
            }
            return new ServerInfo(rs.getString(1), rs.getInt(2), rs.getString(3), sysid, rs.getBoolean(4));
        }
    }

    private static PreparedStatement prepare(Connection conn, String sql, String[] schemas) throws SQLException {
        PreparedStatement st = conn.prepareStatement(sql);
        Array array = schemas == null ? null : conn.createArrayOf("text", schemas);
        st.setArray(1, array);
        st.setArray(2, array);
        return st;
    }

    private static Map<Long, TableBuilder> readTables(Connection conn, String[] schemas, Sizes sizes)
            throws SQLException {
        Map<Long, TableBuilder> out = new LinkedHashMap<>();
        try (PreparedStatement st = prepare(conn, tablesSql(sizes), schemas); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                TableBuilder b = new TableBuilder();
                b.oid = rs.getLong("oid");
                b.name = new QualifiedName(rs.getString("nspname"), rs.getString("relname"));
                b.kind = "p".equals(rs.getString("relkind")) ? TableKind.PARTITIONED : TableKind.TABLE;
                b.unlogged = "u".equals(rs.getString("relpersistence"));
                double tuples = rs.getDouble("reltuples");
                b.estimatedRows = rs.wasNull() ? OptionalDouble.empty() : OptionalDouble.of(tuples);
                b.size = new TableSize(rs.getLong("total_bytes"), rs.getLong("heap_bytes"),
                        rs.getLong("index_bytes"), rs.getLong("toast_bytes"));
                b.extension = Optional.ofNullable(rs.getString("extname"));
                b.extensionConfig = rs.getBoolean("is_config");
                b.extensionConfigFilter = Optional.ofNullable(rs.getString("config_filter")).filter(s -> !s.isBlank());
                out.put(b.oid, b);
            }
        }
        return out;
    }

    private static void readInheritance(Connection conn, String[] schemas, Map<Long, TableBuilder> builders)
            throws SQLException {
        try (PreparedStatement st = prepare(conn, INHERITS_SQL, schemas); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                TableBuilder child = builders.get(rs.getLong(1));
                TableBuilder parent = builders.get(rs.getLong(2));
                if (child == null || parent == null) {
                    continue;
                }
                if (rs.getBoolean(3)) {
                    child.partitionOf = Optional.of(parent.name);
                    parent.partitions.add(child.name);
                } else {
                    child.inheritsFrom.add(parent.name);
                }
            }
        }
    }

    private static void readColumns(Connection conn, String[] schemas, Map<Long, TableBuilder> builders)
            throws SQLException {
        try (PreparedStatement st = prepare(conn, COLUMNS_SQL, schemas); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                TableBuilder b = builders.get(rs.getLong("attrelid"));
                if (b == null) {
                    continue;
                }
                String identity = rs.getString("attidentity");
                Column.Identity id = "a".equals(identity) ? Column.Identity.ALWAYS
                        : "d".equals(identity) ? Column.Identity.BY_DEFAULT : Column.Identity.NONE;
                b.columns.add(new Column(rs.getString("attname"), rs.getInt("attnum"), rs.getString("type"),
                        rs.getString("base_type"), rs.getBoolean("attnotnull"), rs.getBoolean("generated"), id,
                        rs.getBoolean("atthasdef")));
            }
        }
    }

    private static void readKeys(Connection conn, String[] schemas, Map<Long, TableBuilder> builders)
            throws SQLException {
        try (PreparedStatement st = prepare(conn, KEYS_SQL, schemas); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                TableBuilder b = builders.get(rs.getLong(1));
                if (b == null) {
                    continue;
                }
                Key key = new Key(rs.getString(2), stringList(rs.getArray(4)), rs.getBoolean(3));
                if (key.primary()) {
                    b.primaryKey = Optional.of(key);
                } else {
                    b.uniqueKeys.add(key);
                }
            }
        }
    }

    private static List<ForeignKey> readForeignKeys(Connection conn, String[] schemas,
                                                    Map<Long, TableBuilder> builders, int major) throws SQLException {
        Map<Long, QualifiedName> outside = new HashMap<>();
        List<ForeignKey> out = new ArrayList<>();
        // conperiod: temporal keys, PostgreSQL 18 on
        String sql = FOREIGN_KEYS_SQL.formatted(major >= 18 ? "con.conperiod" : "false");
        try (PreparedStatement st = prepare(conn, sql, schemas); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                TableBuilder child = builders.get(rs.getLong(2));
                long parentOid = rs.getLong(3);
                QualifiedName parent = builders.containsKey(parentOid) ? builders.get(parentOid).name
                        : outside.computeIfAbsent(parentOid, oid -> nameOf(conn, oid));
                if (child == null) {
                    continue;
                }
                out.add(new ForeignKey(rs.getString(1), child.name, stringList(rs.getArray(6)), parent,
                        stringList(rs.getArray(7)), rs.getBoolean(4), rs.getBoolean(5), true, rs.getBoolean(8)));
            }
        }
        return out;
    }

    /** A referenced table in a schema that was not read (rare: only with a schema filter). */
    private static QualifiedName nameOf(Connection conn, long oid) {
        try (PreparedStatement st = conn.prepareStatement("""
                SELECT n.nspname, c.relname FROM pg_catalog.pg_class c
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ?""")) {
            st.setLong(1, oid);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new QualifiedName(rs.getString(1), rs.getString(2));
            }
        } catch (SQLException e) {
            throw new PgsubsetException("could not read the catalog: " + Messages.firstLine(e), e);
        }
    }

    private static List<Sequence> readSequences(Connection conn, String[] schemas) throws SQLException {
        List<Sequence> out = new ArrayList<>();
        try (PreparedStatement st = prepare(conn, SEQUENCES_SQL, schemas); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                String ownerSchema = rs.getString("owner_schema");
                Optional<QualifiedName> owner = Optional.ofNullable(rs.getString("owner_table"))
                        .map(t -> new QualifiedName(ownerSchema, t));
                out.add(new Sequence(new QualifiedName(rs.getString(1), rs.getString(2)), owner,
                        Optional.ofNullable(rs.getString("owner_column")), Optional.ofNullable(rs.getString("extname"))));
            }
        }
        return out;
    }

    private static List<String> stringList(Array array) throws SQLException {
        return List.of((String[]) array.getArray());
    }

    private static final class TableBuilder {
        long oid;
        QualifiedName name;
        TableKind kind;
        boolean unlogged;
        OptionalDouble estimatedRows = OptionalDouble.empty();
        TableSize size = TableSize.ZERO;
        Optional<String> extension = Optional.empty();
        boolean extensionConfig;
        Optional<String> extensionConfigFilter = Optional.empty();
        Optional<QualifiedName> partitionOf = Optional.empty();
        final List<QualifiedName> partitions = new ArrayList<>();
        final List<QualifiedName> inheritsFrom = new ArrayList<>();
        final List<Column> columns = new ArrayList<>();
        Optional<Key> primaryKey = Optional.empty();
        final List<Key> uniqueKeys = new ArrayList<>();

        Table build() {
            return new Table(name, oid, kind, columns, primaryKey, uniqueKeys, partitionOf, partitions, inheritsFrom,
                    extension, extensionConfig, extensionConfigFilter, estimatedRows, size, unlogged);
        }
    }
}
