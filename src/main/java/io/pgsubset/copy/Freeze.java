package io.pgsubset.copy;

import io.pgsubset.sql.Ident;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * COPY FREEZE for a table a load has just created: frozen rows spare the index builds, foreign
 * key checks and ANALYZE that follow from setting hint bits on (and rewriting) every page, as
 * they would after a plain COPY. PostgreSQL allows FREEZE only into a table created or truncated
 * in the current subtransaction, so {@link #prepare} truncates the table, empty as it is, just
 * before the COPY. Restore and clone both load through it.
 */
public final class Freeze {
    private static final String CAN_FREEZE = """
            SELECT c.relkind = 'r' AND pg_catalog.has_table_privilege(c.oid, 'TRUNCATE')
                   AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                      AND d.objid = c.oid AND d.deptype = 'e')
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ?""";

    private Freeze() {
    }

    /**
     * Truncates the table in the current subtransaction when that is safe and returns whether the
     * COPY that follows (in the same subtransaction) may say FREEZE. Plain tables only (COPY
     * FREEZE refuses partitioned ones), not tables of extensions, and only when the table is
     * empty, so that nothing is ever removed.
     */
    public static boolean prepare(Connection c, String schema, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CAN_FREEZE)) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return false;
                }
            }
        }
        String table = Ident.quote(schema, name);
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT NOT EXISTS (SELECT FROM ONLY " + table + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return false;
                }
            }
            st.execute("TRUNCATE ONLY " + table);
        }
        return true;
    }
}
