package io.pgsubset.subset;

import io.pgsubset.catalog.Column;
import io.pgsubset.catalog.Table;
import io.pgsubset.sql.Ident;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What identifies a row of a table inside one snapshot, and how keys of that kind are read from a
 * result set, bound as array parameters and rendered as inline SQL. A table's identity is its
 * primary key, else its first all-NOT-NULL UNIQUE key, else its ctid (stable within a snapshot;
 * {@code (tableoid, ctid)} for a partitioned table, whose partitions have ctids of their own).
 */
sealed interface RowIdentity permits RowIdentity.IntegerKey, RowIdentity.Ctid, RowIdentity.Tuple {
    Set<String> INTEGER_TYPES = Set.of("smallint", "integer", "bigint");

    static RowIdentity of(Table table) {
        if (table.identityColumns().isEmpty()) {
            if (table.isPartitioned()) {
                return new Tuple(List.of("tableoid", "ctid"), List.of("oid", "tid"), true);
            }
            return new Ctid();
        }
        List<String> columns = table.identityColumns().get();
        List<String> types = columns.stream()
                .map(c -> table.column(c).map(Column::baseType).orElseThrow(
                        () -> new IllegalStateException("no column " + c + " in " + table.name().display())))
                .toList();
        if (columns.size() == 1 && INTEGER_TYPES.contains(types.get(0))) {
            return new IntegerKey(columns.get(0));
        }
        return new Tuple(columns, types, false);
    }

    /** The key columns by name (system columns for ctid identities). */
    List<String> columns();

    /** The expressions that read a key, in {@link #read} order. */
    List<String> readExpressions(String alias);

    /** Reads the key whose expressions start at column {@code first} (1-based). */
    Object read(ResultSet rs, int first) throws SQLException;

    KeySet newSet();

    /** The key columns, comma-separated, for ORDER BY. */
    default String orderBy(String alias) {
        return columns().stream().map(c -> alias + "." + Ident.quote(c)).collect(Collectors.joining(", "));
    }

    /** A text expression over the row that the percent sample hashes. */
    String hashText(String alias);

    /**
     * A condition true for the rows whose key is in a chunk, with {@code ?} placeholders filled by
     * {@link #bind}; {@code over} gives the expressions compared to the key columns, in order.
     */
    String membership(List<String> over);

    /** Binds a chunk's arrays from parameter {@code index}; returns the next free index. */
    int bind(Connection conn, PreparedStatement st, int index, KeySet.KeyChunk chunk) throws SQLException;

    /** {@link #membership} with the keys inlined as literals (for COPY, which takes no parameters). */
    String inline(List<String> over, KeySet.KeyChunk chunk);

    default List<String> qualified(String alias) {
        return columns().stream().map(c -> alias + "." + Ident.quote(c)).toList();
    }

    /** A single integer column. */
    record IntegerKey(String column) implements RowIdentity {
        @Override
        public List<String> columns() {
            return List.of(column);
        }

        @Override
        public List<String> readExpressions(String alias) {
            return List.of(alias + "." + Ident.quote(column));
        }

        @Override
        public Object read(ResultSet rs, int first) throws SQLException {
            return rs.getLong(first);
        }

        @Override
        public KeySet newSet() {
            return new LongKeySet();
        }

        @Override
        public String hashText(String alias) {
            return alias + "." + Ident.quote(column) + "::text";
        }

        @Override
        public String membership(List<String> over) {
            return over.get(0) + " = ANY (?::int8[])";
        }

        @Override
        public int bind(Connection conn, PreparedStatement st, int index, KeySet.KeyChunk chunk) throws SQLException {
            // The driver takes a primitive long[] directly: no boxing of 50k keys per statement.
            st.setArray(index, conn.unwrap(org.postgresql.PGConnection.class)
                    .createArrayOf("int8", ((LongKeySet.LongChunk) chunk).keys()));
            return index + 1;
        }

        @Override
        public String inline(List<String> over, KeySet.KeyChunk chunk) {
            return anyOf(over.get(0), ((LongKeySet.LongChunk) chunk).keys(), "int8", Long::toString);
        }
    }

    /** No key: the ctid, packed into a long as block << 16 | offset. */
    record Ctid() implements RowIdentity {
        @Override
        public List<String> columns() {
            return List.of("ctid");
        }

        @Override
        public List<String> readExpressions(String alias) {
            return List.of(alias + ".ctid::text");
        }

        @Override
        public Object read(ResultSet rs, int first) throws SQLException {
            return pack(rs.getString(first));
        }

        static long pack(String tid) {
            int comma = tid.indexOf(',');
            long block = Long.parseLong(tid.substring(1, comma));
            long offset = Long.parseLong(tid.substring(comma + 1, tid.length() - 1));
            return block << 16 | offset;
        }

        static String unpack(long packed) {
            return "(" + (packed >>> 16) + "," + (packed & 0xFFFF) + ")";
        }

        @Override
        public KeySet newSet() {
            return new LongKeySet();
        }

        @Override
        public String orderBy(String alias) {
            return alias + ".ctid";
        }

        @Override
        public List<String> qualified(String alias) {
            return List.of(alias + ".ctid");
        }

        @Override
        public String hashText(String alias) {
            return alias + "::text";
        }

        @Override
        public String membership(List<String> over) {
            return over.get(0) + " = ANY (?::text[]::tid[])";
        }

        @Override
        public int bind(Connection conn, PreparedStatement st, int index, KeySet.KeyChunk chunk) throws SQLException {
            long[] keys = ((LongKeySet.LongChunk) chunk).keys();
            String[] tids = new String[keys.length];
            for (int i = 0; i < keys.length; i++) {
                tids[i] = unpack(keys[i]);
            }
            st.setArray(index, conn.createArrayOf("text", tids));
            return index + 1;
        }

        @Override
        public String inline(List<String> over, KeySet.KeyChunk chunk) {
            return anyOf(over.get(0), ((LongKeySet.LongChunk) chunk).keys(), "tid", k -> '"' + unpack(k) + '"');
        }
    }

    /**
     * Any other key: one or more columns of any type, carried as their text forms and cast back to
     * the column types on the server. Also (tableoid, ctid) for a partitioned table without a key.
     *
     * @param wholeRowHash hash the whole row for percent samples (no real key to hash)
     */
    record Tuple(List<String> columns, List<String> types, boolean wholeRowHash) implements RowIdentity {
        public Tuple {
            columns = List.copyOf(columns);
            types = List.copyOf(types);
        }

        @Override
        public List<String> readExpressions(String alias) {
            return columns.stream().map(c -> alias + "." + Ident.quote(c) + "::text").toList();
        }

        @Override
        public Object read(ResultSet rs, int first) throws SQLException {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) {
                    sb.append(TupleKeySet.SEPARATOR);
                }
                sb.append(rs.getString(first + i));
            }
            return sb.toString();
        }

        @Override
        public KeySet newSet() {
            return new TupleKeySet(columns.size());
        }

        @Override
        public String hashText(String alias) {
            if (wholeRowHash) {
                return alias + "::text";
            }
            return "concat_ws(',', " + String.join(", ", readExpressions(alias)) + ")";
        }

        @Override
        public String membership(List<String> over) {
            if (columns.size() == 1) {
                return over.get(0) + " = ANY (?::text[]::" + types.get(0) + "[])";
            }
            List<String> arrays = new ArrayList<>();
            for (String type : types) {
                arrays.add("?::text[]::" + type + "[]");
            }
            return rowsFrom(over, arrays);
        }

        @Override
        public int bind(Connection conn, PreparedStatement st, int index, KeySet.KeyChunk chunk) throws SQLException {
            for (String[] column : ((TupleKeySet.TupleChunk) chunk).columns()) {
                st.setArray(index++, conn.createArrayOf("text", column));
            }
            return index;
        }

        @Override
        public String inline(List<String> over, KeySet.KeyChunk chunk) {
            String[][] values = ((TupleKeySet.TupleChunk) chunk).columns();
            List<String> arrays = new ArrayList<>();
            for (int c = 0; c < columns.size(); c++) {
                arrays.add(Ident.literal(arrayLiteral(values[c])) + "::text[]::" + types.get(c) + "[]");
            }
            if (columns.size() == 1) {
                return over.get(0) + " = ANY (" + arrays.get(0) + ")";
            }
            return rowsFrom(over, arrays);
        }

        /** {@code (a, b) IN (SELECT * FROM ROWS FROM (unnest(x), unnest(y)))}: the arrays zipped into rows. */
        private static String rowsFrom(List<String> over, List<String> arrays) {
            return "(" + String.join(", ", over) + ") IN (SELECT * FROM ROWS FROM ("
                    + String.join(", ", arrays.stream().map(a -> "pg_catalog.unnest(" + a + ")").toList()) + "))";
        }

        static String arrayLiteral(String[] values) {
            StringBuilder sb = new StringBuilder("{");
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append('"').append(values[i].replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            return sb.append('}').toString();
        }
    }

    /**
     * {@code column = ANY ('{k1,k2}'::type[])}: a key chunk inlined as an array literal, for COPY,
     * which takes no bind parameters. The elements are numbers or quoted tids: nothing to escape.
     */
    private static String anyOf(String column, long[] keys, String type,
                                java.util.function.LongFunction<String> element) {
        StringBuilder sb = new StringBuilder(keys.length * 10 + 40);
        sb.append(column).append(" = ANY ('{");
        for (int i = 0; i < keys.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(element.apply(keys[i]));
        }
        return sb.append("}'::").append(type).append("[])").toString();
    }
}
