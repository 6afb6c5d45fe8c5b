package io.pgsubset.verify;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.sql.Ident;
import io.pgsubset.verify.Check.Kind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A materialized view of the manifest: populated in the target exactly when it was in the source, with its rows. */
final class MaterializedViewCheck {
    private static final String POPULATED = """
            SELECT c.relispopulated FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ? AND c.relkind = 'm'""";

    private MaterializedViewCheck() {
    }

    static Check of(Connection conn, Manifest.MaterializedViewEntry v) throws SQLException {
        String display = v.schema() + "." + v.name();
        boolean populated;
        try (PreparedStatement ps = conn.prepareStatement(POPULATED)) {
            ps.setString(1, v.schema());
            ps.setString(2, v.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Check(Kind.MATERIALIZED_VIEW, display, false, "missing: no such materialized view");
                }
                populated = rs.getBoolean(1);
            }
        }
        if (!v.populated()) {
            return new Check(Kind.MATERIALIZED_VIEW, display, !populated, populated
                    ? "populated, but it was not in the source" : "not populated, as in the source");
        }
        if (!populated) {
            return new Check(Kind.MATERIALIZED_VIEW, display, false,
                    "not populated (it was in the source): REFRESH MATERIALIZED VIEW was not run");
        }
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_catalog.count(*) FROM "
                + Ident.quote(v.schema(), v.name()))) {
            rs.next();
            return new Check(Kind.MATERIALIZED_VIEW, display, true, "populated, " + rs.getLong(1) + " rows");
        }
    }
}
