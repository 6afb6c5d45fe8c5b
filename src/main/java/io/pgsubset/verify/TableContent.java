package io.pgsubset.verify;

import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.RowDigest;
import io.pgsubset.sql.Ident;
import io.pgsubset.verify.Check.Kind;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * One restored table read the way the dump read its source: the same columns, {@code ONLY} for
 * anything but a partitioned table, and for an extension configuration table only the rows the
 * extension's filter selects (the others are the extension's own, made by CREATE EXTENSION on the
 * target, and are counted but not compared). {@code verify} checks a restored table with it against
 * the manifest; {@code clone} can check its target against the counts and digests it computed in
 * flight with the same rule.
 */
public final class TableContent {
    private TableContent() {
    }

    /**
     * What a table holds.
     *
     * @param rows          the rows compared: all of them, or those passing the extension's filter
     * @param digest        their {@link RowDigest}
     * @param extensionRows the rows outside the filter (0 for a table without one)
     */
    public record Reading(long rows, String digest, long extensionRows) {
    }

    /** The table to read and what identifies its rows as the dump's. */
    public record Source(String schema, String name, List<String> columns, Optional<Manifest.ExtensionTable> extension) {
        public Source {
            columns = List.copyOf(columns);
        }

        public static Source of(Manifest.TableEntry t) {
            return new Source(t.schema(), t.name(), t.columns(), t.extension());
        }

        String display() {
            return schema + "." + name;
        }

        Optional<String> filter() {
            return extension.flatMap(Manifest.ExtensionTable::filter);
        }
    }

    private static final String RELKIND = """
            SELECT c.relkind FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ?""";

    /** The table's relkind, empty when it does not exist. */
    static Optional<String> relkind(Connection conn, String schema, String name) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(RELKIND)) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * Reads the table's rows (hashed as they stream, under the connection's {@code Session}
     * settings, which the caller set) and counts the extension's own rows beside them; empty when
     * the table does not exist.
     *
     * @throws SQLException when the server refuses the query ({@link #unreadable} words it)
     */
    public static Optional<Reading> read(Connection conn, Source table) throws SQLException {
        Optional<String> kind = relkind(conn, table.schema(), table.name());
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        String from = ("p".equals(kind.get()) ? "" : "ONLY ") + Ident.quote(table.schema(), table.name());
        String where = table.filter().map(f -> " WHERE (" + f + ")").orElse("");
        String copy = "COPY (SELECT " + Ident.list(table.columns()) + " FROM " + from + where
                + ") TO STDOUT (FORMAT csv)";
        long rows;
        String digest;
        try (RowDigest d = new RowDigest(false)) {
            rows = conn.unwrap(PGConnection.class).getCopyAPI().copyOut(copy, d);
            digest = d.digest();
        } catch (IOException e) {
            throw new PgsubsetException("reading " + table.display() + " failed: " + Messages.firstLine(e), e);
        }
        long extensionRows = 0;
        if (table.filter().isPresent()) {
            // IS NOT TRUE: the rows a WHERE with the filter leaves out, NULL results included
            try (PreparedStatement ps = conn.prepareStatement("SELECT pg_catalog.count(*) FROM " + from
                    + " WHERE (" + table.filter().get() + ") IS NOT TRUE"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                extensionRows = rs.getLong(1);
            }
        }
        return Optional.of(new Reading(rows, digest, extensionRows));
    }

    /** The verdict on a table that holds {@code actual} where {@code expectedRows} rows of {@code expectedDigest} belong. */
    public static Check check(Source table, long expectedRows, String expectedDigest, Reading actual) {
        String display = table.display();
        String own = extensionNote(table, actual);
        if (actual.rows() != expectedRows) {
            return new Check(Kind.TABLE, display, false, actual.rows() + rowsWord(table)
                    + ", the manifest says " + expectedRows
                    + (actual.digest().equals(expectedDigest) ? "" : "; content differs") + own);
        }
        if (!actual.digest().equals(expectedDigest)) {
            return new Check(Kind.TABLE, display, false, actual.rows() + rowsWord(table) + " as in the manifest, "
                    + "but their content differs (row digest " + actual.digest() + ", manifest " + expectedDigest + ")"
                    + own);
        }
        return new Check(Kind.TABLE, display, true, actual.rows() + rowsWord(table) + ", content equal" + own);
    }

    public static Check missing(Source table) {
        return new Check(Kind.TABLE, table.display(), false, "missing: no such table");
    }

    /** A table the server refused to read. */
    public static Check unreadable(Source table, SQLException e) {
        return new Check(Kind.TABLE, table.display(), false, "cannot read: " + Messages.firstLine(e));
    }

    private static String rowsWord(Source table) {
        return table.filter().isPresent() ? " rows passing the filter of extension "
                + table.extension().orElseThrow().name() : " rows";
    }

    private static String extensionNote(Source table, Reading actual) {
        return table.filter().isPresent() ? "; " + actual.extensionRows() + " rows from CREATE EXTENSION "
                + table.extension().orElseThrow().name() + ", not checked" : "";
    }
}
