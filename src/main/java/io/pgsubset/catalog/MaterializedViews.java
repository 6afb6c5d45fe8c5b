package io.pgsubset.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The materialized views of some schemas in refresh order: a view that reads another (directly or
 * through plain views) comes after it. pg_dump --schema-only creates every one WITH NO DATA, so a
 * restore refreshes those that were populated in the source.
 */
public final class MaterializedViews {
    /** @param populated {@code pg_class.relispopulated} in the snapshot */
    public record View(QualifiedName name, boolean populated) {
    }

    private MaterializedViews() {
    }

    /**
     * Each materialized view (extension members excluded) with the materialized views it reads:
     * the relations its rule depends on, followed through plain views (their rules) to any depth.
     */
    private static final String SQL = """
            WITH RECURSIVE mv AS (
                SELECT c.oid, n.nspname, c.relname, c.relispopulated
                  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind = 'm' AND n.nspname = ANY (?)
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                                    WHERE e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                      AND e.objid = c.oid AND e.deptype = 'e')
            ), reads (mv, via, rel) AS (
                SELECT m.oid, m.oid, d.refobjid
                  FROM mv m JOIN pg_catalog.pg_rewrite r ON r.ev_class = m.oid
                  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                   AND d.objid = r.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                 WHERE d.refobjid <> m.oid
                UNION
                SELECT x.mv, v.oid, d.refobjid
                  FROM reads x JOIN pg_catalog.pg_class v ON v.oid = x.rel AND v.relkind = 'v'
                  JOIN pg_catalog.pg_rewrite r ON r.ev_class = v.oid
                  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                   AND d.objid = r.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                 WHERE d.refobjid <> v.oid
            )
            SELECT m.oid, m.nspname, m.relname, m.relispopulated,
                   ARRAY(SELECT DISTINCT x.rel FROM reads x JOIN mv o ON o.oid = x.rel
                          WHERE x.mv = m.oid AND x.rel <> m.oid) AS reads
              FROM mv m
             ORDER BY m.nspname, m.relname""";

    /** The materialized views of {@code schemas}, each after every one it reads. */
    public static List<View> read(Connection conn, List<String> schemas) throws SQLException {
        Map<Long, View> views = new LinkedHashMap<>();
        Map<Long, List<Long>> reads = new LinkedHashMap<>();
        try (PreparedStatement ps = conn.prepareStatement(SQL)) {
            ps.setArray(1, conn.createArrayOf("text", schemas.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long oid = rs.getLong(1);
                    views.put(oid, new View(new QualifiedName(rs.getString(2), rs.getString(3)), rs.getBoolean(4)));
                    reads.put(oid, oids(rs.getArray(5)));
                }
            }
        }
        Set<Long> ordered = new LinkedHashSet<>();
        for (Long oid : views.keySet()) {
            visit(oid, reads, ordered, new LinkedHashSet<>());
        }
        return ordered.stream().map(views::get).toList();
    }

    /** Depth first: what a view reads is placed before it (a view cannot read itself, even indirectly). */
    private static void visit(Long oid, Map<Long, List<Long>> reads, Set<Long> ordered, Set<Long> path) {
        if (ordered.contains(oid) || !path.add(oid)) {
            return;
        }
        for (Long dep : reads.get(oid)) {
            visit(dep, reads, ordered, path);
        }
        ordered.add(oid);
    }

    private static List<Long> oids(Array array) throws SQLException {
        List<Long> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            out.add(((Number) o).longValue());
        }
        return out;
    }
}
