package io.pgsubset.verify;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.Manifest.LargeObjectEntry;
import io.pgsubset.sql.LargeObjectReader;
import io.pgsubset.verify.Check.Kind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The large objects: as many in the database as in the dump, and each one's content (read in
 * chunks, hashed here) equal to the sha256 the manifest recorded for it.
 */
final class LargeObjectCheck {
    private LargeObjectCheck() {
    }

    static List<Check> of(Connection conn, Manifest manifest) throws SQLException {
        try {
            return checks(conn, manifest);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a sink that discards cannot fail", e);
        }
    }

    private static List<Check> checks(Connection conn, Manifest manifest) throws SQLException, java.io.IOException {
        List<Check> out = new ArrayList<>();
        long count;
        try (PreparedStatement ps = conn.prepareStatement("SELECT pg_catalog.count(*) FROM "
                + "pg_catalog.pg_largeobject_metadata"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            count = rs.getLong(1);
        }
        int expected = manifest.largeObjects().size();
        if (count == 0 && expected == 0) {
            return out;
        }
        out.add(new Check(Kind.LARGE_OBJECT, "count", count == expected, count + " large objects"
                + (count == expected ? ", as in the dump" : ", the manifest says " + expected)));
        List<String> differ = new ArrayList<>();
        try (PreparedStatement exists = conn.prepareStatement(
                "SELECT 1 FROM pg_catalog.pg_largeobject_metadata WHERE oid = ?");
             LargeObjectReader reader = new LargeObjectReader(conn)) {
            for (LargeObjectEntry lo : manifest.largeObjects()) {
                exists.setLong(1, lo.oid());
                try (ResultSet rs = exists.executeQuery()) {
                    if (!rs.next()) {
                        differ.add(lo.oid() + " missing");
                        continue;
                    }
                }
                if (!reader.read(lo.oid(), chunk -> { }).sha256().equals(lo.sha256())) {
                    differ.add(lo.oid() + " content differs");
                }
            }
        }
        if (expected > 0) {
            out.add(new Check(Kind.LARGE_OBJECT, "content", differ.isEmpty(), differ.isEmpty()
                    ? expected + " equal to the dump (sha256)"
                    : differ.size() + " of " + expected + " differ: " + String.join(", ",
                    differ.subList(0, Math.min(5, differ.size()))) + (differ.size() > 5 ? ", ..." : "")));
        }
        return out;
    }
}
