package io.pgsubset.catalog;


import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The tables that belong to an extension, as {@code plan init}, {@code plan explain} and
 * {@code sizes} show them before a dump: a table the extension owns has no rows in a dump
 * (CREATE EXTENSION makes them); a configuration table has the rows its filter selects, counted
 * here so that the numbers shown are the dump's.
 */
public final class ExtensionTables {
    private ExtensionTables() {
    }

    /** Rows of a configuration table: those its filter selects (user data) out of all. */
    public record Rows(long user, long total) {
    }

    /**
     * One table of an extension.
     *
     * @param config whether the extension marked it with {@code pg_extension_config_dump}
     * @param filter the configuration table's filter (without WHERE); empty: every row is user data
     * @param rows   counted rows of a configuration table with a filter
     */
    public record Member(QualifiedName table, String extension, boolean config, Optional<String> filter,
                         Optional<Rows> rows) {
        /** A table of an extension ({@code t.extension()} is present), without counts. */
        public static Member of(Table t) {
            return new Member(t.name(), t.extension().orElseThrow(), t.extensionConfig(), t.extensionFilter(),
                    Optional.empty());
        }

        /** What a dump does with the table's rows, in one phrase. */
        public String describe() {
            if (!config) {
                return "owned by extension " + extension + ": its rows come with CREATE EXTENSION";
            }
            if (filter.isEmpty()) {
                return "configuration table of extension " + extension + ": every row is user data and dumped";
            }
            return rows.map(r -> "configuration table of extension " + extension + ": its filter selects " + r.user()
                            + " of " + r.total() + " rows as user data, the only rows a dump carries; CREATE EXTENSION "
                            + "makes the other " + (r.total() - r.user()))
                    .orElse("configuration table of extension " + extension + ": a dump carries only the rows its "
                            + "filter selects; CREATE EXTENSION makes the others");
        }
    }

    /** The extension tables among {@code tables} of the catalog, without counts. */
    public static List<Member> of(Catalog catalog, Collection<QualifiedName> tables) {
        return tables.stream().map(catalog::require).filter(t -> t.extension().isPresent()).map(Member::of).toList();
    }

    private static final String MEMBERS = """
            SELECT n.nspname, c.relname, e.extname, c.oid = ANY (e.extconfig) AS config,
                   e.extcondition[pg_catalog.array_position(e.extconfig, c.oid)] AS filter
              FROM pg_catalog.pg_depend d
              JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
              JOIN pg_catalog.pg_class c ON c.oid = d.objid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
               AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
               AND d.deptype = 'e' AND c.relkind IN ('r', 'p')
             ORDER BY 1, 2""";

    /** Every extension table of the database, without counts: one catalog query. */
    public static List<Member> read(Connection conn) throws SQLException {
        List<Member> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(MEMBERS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                boolean config = rs.getBoolean(4);
                out.add(new Member(new QualifiedName(rs.getString(1), rs.getString(2)), rs.getString(3), config,
                        Optional.ofNullable(rs.getString(5)).filter(f -> config).flatMap(Table::extensionCondition),
                        Optional.empty()));
            }
        }
        return out;
    }

    /**
     * The members with the rows of each filtered configuration table counted (all rows and those the
     * filter selects, in one scan each: configuration tables are small by design), read as the dump
     * reads them ({@code ONLY}, no inheritance children).
     */
    public static List<Member> counted(Connection conn, List<Member> members) throws SQLException {
        List<Member> out = new ArrayList<>();
        for (Member m : members) {
            if (m.filter().isEmpty()) {
                out.add(m);
                continue;
            }
            String sql = "SELECT pg_catalog.count(*) FILTER (WHERE " + m.filter().get() + "), pg_catalog.count(*) FROM ONLY "
                    + m.table().sql();
            try (PreparedStatement ps = conn.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                rs.next();
                out.add(new Member(m.table(), m.extension(), m.config(), m.filter(),
                        Optional.of(new Rows(rs.getLong(1), rs.getLong(2)))));
            }
        }
        return out;
    }
}
