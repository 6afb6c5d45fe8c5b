package io.pgsubset.dump;

import io.pgsubset.manifest.RowDigest;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.zip.GZIPOutputStream;

/**
 * Where COPY's CSV bytes go: the data file (gzipped or not) and, on the way, the sha256 and size
 * of the file as written and the row digest of the CSV. Rows are never parsed beyond the digest's
 * record boundaries.
 *
 * <p>The connection's thread only gathers rows into 1 MB chunks; hashing, compressing and writing
 * happen on a thread of their own, so the client keeps draining the server's COPY stream while the
 * previous chunk is hashed (the client's CPU per byte, not the server, used to bound a full dump).
 */
final class DataFileSink extends OutputStream {
    private static final int BUFFER = 1 << 16;
    private static final int CHUNK = 1 << 20;
    private static final int CHUNKS_IN_FLIGHT = 4;

    private final FileOutputStream file;
    private final MessageDigest sha256;
    private final CountingDigestStream fileBytes;
    private final OutputStream csv;
    private final RowDigest rowDigest = new RowDigest(true);
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(CHUNKS_IN_FLIGHT);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS_IN_FLIGHT + 1);
    private final Thread worker;
    private volatile IOException failure;
    private boolean failureThrown;
    private volatile long rowsWritten;
    private byte[] chunk = new byte[CHUNK];
    private int fill;
    private long csvBytes;
    private boolean closed;

    private record Chunk(byte[] data, int length) {
        static final Chunk END = new Chunk(new byte[0], 0);
    }

    DataFileSink(Path path, boolean gzip) throws IOException {
        this.file = new FileOutputStream(path.toFile());
        this.sha256 = newSha256();
        this.fileBytes = new CountingDigestStream(new BufferedOutputStream(file, BUFFER), sha256);
        this.csv = gzip ? new GZIPOutputStream(fileBytes, BUFFER) : fileBytes;
        this.worker = new Thread(this::drain, "pgsubset-write-" + path.getFileName());
        worker.setDaemon(true);
        worker.start();
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The writer thread: hash, write, recycle; after a failure keep draining so the producer never blocks. */
    private void drain() {
        try {
            while (true) {
                Chunk c = full.take();
                if (c == Chunk.END) {
                    return;
                }
                if (failure == null) {
                    try {
                        csv.write(c.data(), 0, c.length());
                        rowDigest.write(c.data(), 0, c.length());
                        rowsWritten = rowDigest.rows();
                    } catch (IOException e) {
                        failure = e;
                    }
                }
                free.offer(c.data());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        csvBytes += len;
        while (len > 0) {
            int n = Math.min(len, CHUNK - fill);
            System.arraycopy(b, off, chunk, fill, n);
            fill += n;
            off += n;
            len -= n;
            if (fill == CHUNK) {
                handOver();
            }
        }
    }

    private void handOver() throws IOException {
        checkFailure();
        try {
            full.put(new Chunk(chunk, fill));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing a data file");
        }
        byte[] next = free.poll();
        chunk = next == null ? new byte[CHUNK] : next;
        fill = 0;
    }

    /** Throws the writer's failure once: try-with-resources must not see the same exception again in close. */
    private void checkFailure() throws IOException {
        IOException f = failure;
        if (f != null && !failureThrown) {
            failureThrown = true;
            throw f;
        }
    }

    /** CSV records written so far (the header excluded); final once the sink is closed. */
    long rows() {
        return rowsWritten;
    }

    /** Uncompressed CSV bytes so far. */
    long csvBytes() {
        return csvBytes;
    }

    /**
     * Hands over the last chunk, waits for the writer, then flushes, syncs the file to disk and
     * closes it; then {@link #sha256()}, {@link #fileBytes()} and {@link #rows()} are final.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (csv) {
            boolean interrupted = Thread.interrupted();
            try {
                if (fill > 0 && !interrupted) {
                    full.put(new Chunk(chunk, fill));
                }
                full.put(Chunk.END);
                worker.join();
            } catch (InterruptedException e) {
                worker.interrupt();
                interrupted = true;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing a data file");
            }
            checkFailure();
            if (failure != null) {
                return;
            }
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
