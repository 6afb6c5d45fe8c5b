package io.pgsubset.copy;

import io.pgsubset.copy.CsvBlocks.Block;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One data file loaded by several COPY streams at once: each stream takes the next block of whole
 * records ({@link CsvBlocks}, the header dropped) when it needs one, reading under this object's
 * lock, so the file is read once and in order, and the stream that reaches its end checks its sha256.
 * The file is opened by the first stream that asks.
 */
public final class SharedFile implements Closeable {
    /** Compares the file's sha256 with the expected one; throws when they differ. */
    public interface Check {
        void sha256(String actual);
    }

    private final Path path;
    private final CheckedFile.Progress progress;
    private final int blockBytes;
    private final Check check;
    private CheckedFile file;
    private CsvBlocks blocks;
    private boolean ended;

    public SharedFile(Path path, CheckedFile.Progress progress, int blockBytes, Check check) {
        this.path = path;
        this.progress = progress;
        this.blockBytes = blockBytes;
        this.check = check;
    }

    public Path path() {
        return path;
    }

    /** The next block, or empty once the file is read (and checked). A read that fails ends the file for every stream. */
    public synchronized Optional<Block> next() throws IOException {
        if (ended) {
            return Optional.empty();
        }
        boolean ok = false;
        try {
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
