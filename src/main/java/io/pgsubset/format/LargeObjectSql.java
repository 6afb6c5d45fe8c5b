package io.pgsubset.format;

import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.Manifest.LargeObjectEntry;
import io.pgsubset.sql.Ident;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The statements that give restored large objects their OIDs, owners and grants: restore.sh's and the restore's. */
public final class LargeObjectSql {
    private LargeObjectSql() {
    }

    /** {@code ALTER LARGE OBJECT ... OWNER TO} and the grants, as the source had them. */
    public static List<String> privileges(LargeObjectEntry lo) {
        List<String> out = new ArrayList<>();
        out.add("ALTER LARGE OBJECT " + lo.oid() + " OWNER TO " + Ident.quote(lo.owner()) + ";");
        for (Manifest.Grant g : lo.grants()) {
            String privilege = g.privilege().toUpperCase(Locale.ROOT);
            if (!privilege.equals("SELECT") && !privilege.equals("UPDATE")) {
                throw new PgsubsetException("large object " + lo.oid() + ": unknown privilege " + g.privilege()
                        + " in the manifest");
            }
            out.add("GRANT " + privilege + " ON LARGE OBJECT " + lo.oid() + " TO "
                    + (g.grantee().equals("PUBLIC") ? "PUBLIC" : Ident.quote(g.grantee())) + ";");
        }
        return out;
    }

    /** restore.sh's statements that create every object under its OID (the content follows by COPY). */
    public static String createSql(List<LargeObjectEntry> objects) {
        if (objects.isEmpty()) {
            return "";
        }
        StringBuilder oids = new StringBuilder();
        for (LargeObjectEntry lo : objects) {
            oids.append(oids.length() == 0 ? "" : ",").append(lo.oid());
        }
        return "SELECT pg_catalog.count(pg_catalog.lo_create(o)) AS pgsubset_large_objects FROM pg_catalog.unnest('{"
                + oids + "}'::pg_catalog.oid[]) o \\gset";
    }
}
