package io.pgsubset.sql;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * Reads large objects a megabyte at a time with {@code lo_get(oid, offset, length)} (works in a
 * read-only transaction and on a standby; a multi-megabyte object is never whole in memory), and
 * hashes them. Shared by the dump, which writes them, and verify, which compares them.
 */
public final class LargeObjectReader implements AutoCloseable {
    public static final int CHUNK = 1 << 20;

    /** Takes each chunk as it is read. */
    public interface Sink {
        void accept(byte[] chunk) throws IOException;
    }

    private final PreparedStatement read;

    public LargeObjectReader(Connection conn) throws SQLException {
        this.read = conn.prepareStatement("SELECT pg_catalog.lo_get(?, ?, " + CHUNK + ")");
    }

    /** Feeds the object's bytes to {@code sink} in order; returns their sha256 (hex) and count. */
    public Digest read(long oid, Sink sink) throws SQLException, IOException {
        MessageDigest sha = sha256();
        long offset = 0;
        while (true) {
            read.setLong(1, oid);
            read.setLong(2, offset);
            byte[] chunk;
            try (ResultSet rs = read.executeQuery()) {
                rs.next();
                chunk = rs.getBytes(1);
            }
            sha.update(chunk);
            sink.accept(chunk);
            offset += chunk.length;
            if (chunk.length < CHUNK) {
                return new Digest(HexFormat.of().formatHex(sha.digest()), offset);
            }
        }
    }

    /** A large object's sha256 (hex) and size. */
    public record Digest(String sha256, long bytes) {
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    @Override
    public void close() throws SQLException {
        read.close();
    }
}
