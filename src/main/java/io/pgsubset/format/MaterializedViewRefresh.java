package io.pgsubset.format;

import io.pgsubset.manifest.Manifest.MaterializedViewEntry;
import io.pgsubset.sql.Ident;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The post-load step for materialized views: pg_dump --schema-only creates each one WITH NO DATA,
 * so after the data, post-data and sequences, those populated in the source are refreshed, in the
 * manifest's order (each after the views it reads), in the same transaction as the load. One that
 * was not populated stays so. restore.sh, {@code pgsubset restore} and clone run this same SQL.
 */
public final class MaterializedViewRefresh {
    private MaterializedViewRefresh() {
    }

    /** The REFRESH statements, one per line; empty when no view needs one. */
    public static String sql(List<MaterializedViewEntry> views) {
        return views.stream().filter(MaterializedViewEntry::populated)
                .map(v -> "REFRESH MATERIALIZED VIEW " + Ident.quote(v.schema(), v.name()) + ";")
                .collect(Collectors.joining("\n"));
    }
}
