package io.pgsubset.dump;

import io.pgsubset.manifest.RowDigest;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * Where COPY's CSV bytes go: the data file (gzipped or not) and, on the way, the sha256 and size
 * of the file as written and the row digest of the CSV. Rows are never parsed beyond the digest's
 * record boundaries.
 */
final class DataFileSink extends OutputStream {
    private static final int BUFFER = 1 << 16;

    private final FileOutputStream file;
    private final MessageDigest sha256;
    private final CountingDigestStream fileBytes;
    private final OutputStream csv;
    private final RowDigest rowDigest = new RowDigest(true);
    private long csvBytes;
    private boolean closed;

    DataFileSink(Path path, boolean gzip) throws IOException {
        this.file = new FileOutputStream(path.toFile());
        this.sha256 = newSha256();
        this.fileBytes = new CountingDigestStream(new BufferedOutputStream(file, BUFFER), sha256);
        this.csv = gzip ? new GZIPOutputStream(fileBytes, BUFFER) : fileBytes;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        csv.write(b);
        rowDigest.write(b);
        csvBytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        csv.write(b, off, len);
        rowDigest.write(b, off, len);
        csvBytes += len;
    }

    /** CSV records completed so far (the header excluded). */
    long rows() {
        return rowDigest.rows();
    }

    /** Uncompressed CSV bytes so far. */
    long csvBytes() {
        return csvBytes;
    }

    /** Flushes, syncs the file to disk and closes it; then {@link #sha256()} and {@link #fileBytes()} are final. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (csv) {
            if (csv instanceof GZIPOutputStream gz) {
                gz.finish();
            }
            fileBytes.flush();
            file.getFD().sync();
        }
    }

    String sha256() {
        return HexFormat.of().formatHex(sha256.digest());
    }

    long fileBytes() {
        return fileBytes.count;
    }

    String rowDigest() {
        return rowDigest.digest();
    }

    /** Counts and hashes the bytes that reach the file. */
    private static final class CountingDigestStream extends OutputStream {
        private final OutputStream out;
        private final MessageDigest digest;
        private long count;

        CountingDigestStream(OutputStream out, MessageDigest digest) {
            this.out = out;
            this.digest = digest;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
