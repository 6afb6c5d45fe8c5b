package io.pgsubset.copy;

import io.pgsubset.copy.CsvBlocks.Block;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One data file loaded by several COPY streams at once: each stream takes the next block of whole
 * records ({@link CsvBlocks}, the header dropped) when it needs one, reading under this object's
 * lock, so the file is read once and in order, and the stream that reaches its end checks its sha256.
 * The file is opened by the first stream that asks, once the others have joined or after a moment:
 * a stream that started alone would otherwise take every block of a file small enough to be read
 * before the other streams' threads run.
 */
public final class SharedFile implements Closeable {
    private static final long JOIN_WAIT_NANOS = 1_000_000_000L;

    /** Compares the file's sha256 with the expected one; throws when they differ. */
    public interface Check {
        void sha256(String actual);
    }

    private final Path path;
    private final CheckedFile.Progress progress;
    private final int blockBytes;
    private final Check check;
    private final int streams;
    private int joined;
    private CheckedFile file;
    private CsvBlocks blocks;
    private boolean ended;

    /** @param streams the streams that will read it; the first read waits a moment for them to {@link #join} */
    public SharedFile(Path path, CheckedFile.Progress progress, int blockBytes, Check check, int streams) {
        this.path = path;
        this.streams = streams;
        this.progress = progress;
        this.blockBytes = blockBytes;
        this.check = check;
    }

    public Path path() {
        return path;
    }

    /** A stream starts reading. */
    public synchronized void join() {
        joined++;
        notifyAll();
    }

    /** The next block, or empty once the file is read (and checked). A read that fails ends the file for every stream. */
    public synchronized Optional<Block> next() throws IOException {
        if (ended) {
            return Optional.empty();
        }
        boolean ok = false;
        try {
            if (file == null) {
                // the monitor is released while waiting: another stream may open the file, or even read it all
                awaitStreams();
            }
            if (ended) {
                ok = true;
                return Optional.empty();
            }
            if (file == null) {
                file = CheckedFile.open(path, progress);
                blocks = new CsvBlocks(file.csv(), blockBytes);
            }
            Optional<Block> b = blocks.next();
            if (b.isEmpty()) {
                ended = true;
                check.sha256(file.sha256());
            }
            ok = true;
            return b;
        } finally {
            ended |= !ok;
        }
    }

    /** Waits (the monitor released meanwhile) until every stream joined, for at most a second. */
    private void awaitStreams() throws InterruptedIOException {
        long deadline = System.nanoTime() + JOIN_WAIT_NANOS;
        try {
            for (long left = JOIN_WAIT_NANOS; joined < streams && left > 0; left = deadline - System.nanoTime()) {
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the streams of " + path);
        }
    }

    /** Takes back the buffer of a block that was sent (from any stream). */
    public void recycle(Block b) {
        blocks.recycle(b);
    }

    @Override
    public synchronized void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }
}
