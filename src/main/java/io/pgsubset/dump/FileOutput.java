package io.pgsubset.dump;

import io.pgsubset.files.OwnerOnly;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * The bytes that reach one file on disk, counted. A data file of the manifest is also hashed
 * (sha256 of its bytes in order) and, once closed, synced in the background ({@link DataSyncs}); a
 * temporary part of a split table is neither, since its bytes are hashed when they are appended to
 * the data file.
 *
 * <p>A data file is also synced in the background every {@value #SYNC_EVERY_BYTES} bytes, so the
 * disk writes overlap the copy instead of all waiting for the final sync (with gigabytes of free
 * memory the kernel would otherwise keep a whole big table dirty until then: about a second per GB
 * at the very end of the dump).
 */
final class FileOutput extends SinkOutput {
    /**
     * Only small writes stay in the buffer (a table's last chunk, gzip's trailer): a data file gets
     * whole chunks of its sink, which pass it by. One per file: 64 kB buffers were 28 of the 48 MB a
     * dump of 500 small tables allocated, and its second young collection.
     */
    private static final int BUFFER = 1 << 13;
    private static final int APPEND_BUFFER = 1 << 20;
    static final long SYNC_EVERY_BYTES = 64L << 20;

    private final Path path;
    private final FileChannel file;
    private final OutputStream buffered;
    /** Where a data file's final sync goes; null for a temporary file (neither hashed nor synced). */
    private final DataSyncs syncs;
    private MessageDigest sha256;
    private long count;
    private long unsynced;
    private Future<?> syncing = CompletableFuture.completedFuture(null);
    private volatile IOException syncFailure;
    private boolean closed;

    private FileOutput(Path path, DataSyncs syncs) throws IOException {
        this.path = path;
        this.file = OwnerOnly.newChannel(path);
        this.buffered = new BufferedOutputStream(Channels.newOutputStream(file), BUFFER);
        this.syncs = syncs;
        this.sha256 = newSha256();
    }

    /** A data file of the dump: hashed, and synced to disk by {@code syncs} once closed. */
    static FileOutput dataFile(Path path, DataSyncs syncs) throws IOException {
        return new FileOutput(path, java.util.Objects.requireNonNull(syncs));
    }

    /** A temporary file whose bytes are appended to a data file later. */
    static FileOutput temporary(Path path) throws IOException {
        return new FileOutput(path, null);
    }

    /** Never updated, only cloned: the provider lookup of getInstance cost more than a tiny table's copy. */
    private static final MessageDigest SHA256 = sha256Prototype();

    private static MessageDigest sha256Prototype() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static MessageDigest newSha256() {
        return copy(SHA256);
    }

    Path path() {
        return path;
    }

    @Override
    public void write(int b) throws IOException {
        buffered.write(b);
        if (syncs != null) {
            sha256.update((byte) b);
            written(1);
        }
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        buffered.write(b, off, len);
        if (syncs != null) {
            sha256.update(b, off, len);
            written(len);
        }
        count += len;
    }

    /** Starts a background sync after every SYNC_EVERY_BYTES, unless the last one still runs. */
    private void written(long n) {
        unsynced += n;
        if (unsynced >= SYNC_EVERY_BYTES && syncing.isDone()) {
            unsynced = 0;
            syncing = DataSyncs.inBackground(() -> {
                try {
                    file.force(false);
                } catch (IOException e) {
                    syncFailure = e;
                }
            });
        }
    }

    /** Appends the whole of {@code part} (hashing it on the way, with a flat 1 MB buffer). */
    void append(Path part) throws IOException {
        buffered.flush();
        byte[] buf = new byte[APPEND_BUFFER];
        try (InputStream in = Files.newInputStream(part)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                writeFully(ByteBuffer.wrap(buf, 0, n));
                if (syncs != null) {
                    sha256.update(buf, 0, n);
                    written(n);
                }
                count += n;
            }
        }
    }

    private void writeFully(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            file.write(bytes);
        }
    }

    @Override
    public void flush() throws IOException {
        buffered.flush();
    }

    /** A point in the file to come back to ({@link #rewind}): its length and the sha256 of the bytes up to it. */
    record Mark(long bytes, MessageDigest sha256) {
    }

    /** Where the file ends now. */
    Mark mark() throws IOException {
        buffered.flush();
        return new Mark(count, copy(sha256));
    }

    /** Cuts the file back to {@code mark}, as if nothing had been written after it (a part copied again). */
    void rewind(Mark mark) throws IOException {
        buffered.flush();
        file.truncate(mark.bytes());
        file.position(mark.bytes());
        count = mark.bytes();
        sha256 = copy(mark.sha256());
    }

    private static MessageDigest copy(MessageDigest digest) {
        try {
            return (MessageDigest) digest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the runtime's SHA-256 cannot be cloned", e);
        }
    }

    /** Bytes written so far. */
    long bytes() {
        return count;
    }

    /** The sha256 of every byte written, as hex; call once, after close. */
    String sha256() {
        return HexFormat.of().formatHex(sha256.digest());
    }

    /**
     * Flushes and closes; a data file is handed to its {@link DataSyncs}, which syncs and closes it
     * after its periodic syncs (one thread runs them all, in order).
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        if (syncs == null) {
            closed = true;
            try (file) {
                buffered.flush();
            }
            return;
        }
        try {
            buffered.flush();
            if (syncFailure != null) {
                throw syncFailure;
            }
        } catch (IOException e) {
            closeQuietly();
            throw e;
        }
        closed = true;
        // a periodic sync still running may yet fail: the last sync, after it, looks again
        syncs.syncAndClose(path, file, () -> syncFailure);
    }

    /** Closes after a failure: the dump fails with its own error, and the partial directory goes. */
    @Override
    void closeQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            file.close();
        } catch (IOException e) {
            // nothing to save: the file is removed with the partial directory
            return;
        }
    }
}
