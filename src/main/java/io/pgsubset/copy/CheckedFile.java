package io.pgsubset.copy;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * A data file as the source of a copy: its CSV bytes (decompressed when the name ends in .gz), and
 * the sha256 of its bytes on disk computed as they are read, so that checking a file costs no
 * second pass. Closing it closes the decompressor and the file.
 */
public final class CheckedFile implements Closeable {
    private static final int BUFFER = 1 << 16;

    /** Told the bytes read from disk (compressed bytes for .gz): progress against the file's size. */
    public interface Progress {
        void bytes(long n);
    }

    private final Hashing raw;
    private final InputStream csv;

    private CheckedFile(Hashing raw, InputStream csv) {
        this.raw = raw;
        this.csv = csv;
    }

    public static CheckedFile open(Path path, Progress progress) throws IOException {
        Hashing raw = new Hashing(Files.newInputStream(path), progress);
        if (!path.getFileName().toString().endsWith(".gz")) {
            return new CheckedFile(raw, raw);
        }
        try {
            return new CheckedFile(raw, new GZIPInputStream(raw, BUFFER));
        } catch (IOException | RuntimeException e) {
            try {
                raw.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** The CSV bytes. */
    public InputStream csv() {
        return csv;
    }

    /** Copies the rest of the CSV into {@code out}; an interrupt of the calling thread stops it. */
    public long transferTo(OutputStream out) throws IOException {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        for (int n; (n = csv.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
            total += n;
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("copy cancelled");
            }
        }
        return total;
    }

    /** Reads what the CSV reader left (a gzip trailer), then returns the file's sha256 as hex; call once, at the end. */
    public String sha256() throws IOException {
        raw.transferTo(OutputStream.nullOutputStream());
        return HexFormat.of().formatHex(raw.sha256.digest());
    }

    @Override
    public void close() throws IOException {
        csv.close();
    }

    /** The raw bytes as they are read: hashed (skipped bytes too) and counted. */
    private static final class Hashing extends FilterInputStream {
        private final MessageDigest sha256;
        private final Progress progress;

        Hashing(InputStream in, Progress progress) {
            super(in);
            this.progress = progress;
            try {
                this.sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                sha256.update(b, off, n);
                progress.bytes(n);
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                sha256.update((byte) b);
                progress.bytes(1);
            }
            return b;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(Math.max(n, 0), BUFFER)];
            int read = buf.length > 0 ? read(buf, 0, buf.length) : 0;
            return Math.max(read, 0);
        }
    }
}
