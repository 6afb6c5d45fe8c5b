package io.pgsubset.restore;

import io.pgsubset.format.LargeObjectSql;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.Manifest.LargeObjectEntry;
import io.pgsubset.sql.Ident;
import io.pgsubset.sql.LargeObjectReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Restores a dump's large objects under their original OIDs, so the oid/lo columns that reference
 * them stay valid: {@code lo_create(oid)}, then the file a chunk at a time with {@code lo_put} (a
 * multi-megabyte object is never whole in memory), its sha256 checked as it is read; with the
 * dump's --keep-owners also owner and grants. One transaction: a damaged file creates nothing.
 */
final class LargeObjectSink {
    static final int CHUNK = LargeObjectReader.CHUNK;

    private LargeObjectSink() {
    }

    static void load(Connection conn, Path dumpDir, Manifest manifest) throws SQLException {
        boolean autoCommit = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try (PreparedStatement create = conn.prepareStatement("SELECT pg_catalog.lo_create(?)");
             PreparedStatement put = conn.prepareStatement("SELECT pg_catalog.lo_put(?, ?, ?)");
             Statement st = conn.createStatement()) {
            for (LargeObjectEntry lo : manifest.largeObjects()) {
                create.setLong(1, lo.oid());
                create.execute();
                write(put, dumpDir, lo);
                if (manifest.keepOwners()) {
                    for (String sql : LargeObjectSql.privileges(lo)) {
                        st.execute(sql);
                    }
                }
            }
            conn.commit();
        } catch (SQLException | RuntimeException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(autoCommit);
        }
    }

    private static void write(PreparedStatement put, Path dumpDir, LargeObjectEntry lo) throws SQLException {
        Path file = dumpDir.resolve(lo.file());
        MessageDigest sha = LargeObjectReader.sha256();
        long offset = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk;
            while ((chunk = in.readNBytes(CHUNK)).length > 0) {
                sha.update(chunk);
                put.setLong(1, lo.oid());
                put.setLong(2, offset);
                put.setBytes(3, chunk);
                put.execute();
                offset += chunk.length;
            }
        } catch (IOException e) {
            throw new UsageException(file + ": " + Messages.firstLine(e) + ": the dump is incomplete; no large object was "
                    + "restored", e);
        }
        String sum = HexFormat.of().formatHex(sha.digest());
        if (!sum.equals(lo.sha256()) || offset != lo.bytes()) {
            throw new UsageException(file + ": sha256 " + sum + " (" + offset + " bytes) differs from the manifest's "
                    + lo.sha256() + " (" + lo.bytes() + " bytes): the file is damaged or was changed after the "
                    + "dump; no large object was restored");
        }
    }
}
