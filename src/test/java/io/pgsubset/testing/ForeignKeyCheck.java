package io.pgsubset.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks every foreign key of a database with an anti-join, independently of whether PostgreSQL
 * validated it when it was created: a child row whose key columns are all non-NULL (MATCH SIMPLE)
 * must find its parent row. Also checks {@code extra} keys given as SQL (declared relations).
 */
public final class ForeignKeyCheck {
    private static final String FOREIGN_KEYS = """
            SELECT con.conname,
                   con.conrelid::pg_catalog.regclass::text, con.confrelid::pg_catalog.regclass::text,
                   (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ',' ORDER BY k.i)
                      FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY k(att, i)
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.att),
                   (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ',' ORDER BY k.i)
                      FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY k(att, i)
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.att)
              FROM pg_catalog.pg_constraint con
             WHERE con.contype = 'f' AND con.conparentid = 0
             ORDER BY 1, 2
            """;

    private ForeignKeyCheck() {
    }

    /** One line per violated foreign key ("fk child->parent: N orphans"); empty when all hold. */
    public static List<String> violations(TestDatabase db) {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            List<String[]> fks = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(FOREIGN_KEYS)) {
                while (rs.next()) {
                    fks.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5)});
                }
            }
            for (String[] fk : fks) {
                long orphans = orphans(st, fk[1], fk[3].split(","), fk[2], fk[4].split(","));
                if (orphans > 0) {
                    out.add(fk[0] + " " + fk[1] + "->" + fk[2] + ": " + orphans + " orphans");
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("could not check foreign keys of " + db.name() + ": " + e.getMessage(), e);
        }
    }

    /** Number of child rows (all key columns non-NULL) without a parent; names are already quoted. */
    public static long orphans(Statement st, String child, String[] childCols, String parent, String[] parentCols)
            throws SQLException {
        StringBuilder notNull = new StringBuilder();
        StringBuilder join = new StringBuilder();
        for (int i = 0; i < childCols.length; i++) {
            notNull.append(" AND c.").append(childCols[i]).append(" IS NOT NULL");
            join.append(i == 0 ? "" : " AND ").append("p.").append(parentCols[i]).append(" = c.").append(childCols[i]);
        }
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + child + " c WHERE true" + notNull
                + " AND NOT EXISTS (SELECT 1 FROM " + parent + " p WHERE " + join + ")")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
