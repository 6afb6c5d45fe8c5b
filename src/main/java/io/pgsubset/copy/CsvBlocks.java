package io.pgsubset.copy;

import io.pgsubset.manifest.CsvWords;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Cuts a data file (CSV with a header, as {@code COPY TO ... (FORMAT csv, HEADER)} writes it) into
 * blocks of whole records, so that several COPY streams can load one table. A newline ends a
 * record only outside a quoted field; a field's own quotes are doubled, so counting quotes from
 * the start of the file tells the two apart. The header record is dropped (the streams COPY
 * without HEADER). Memory stays at about one block, unless a single record is larger.
 */
public final class CsvBlocks {
    /** {@code length} bytes of {@code bytes}: whole records (the last block may lack its final newline). */
    public record Block(byte[] bytes, int length) {
    }

    private final InputStream in;
    private final int blockSize;
    private byte[] buf;
    private int len;
    /** Bytes of buf already scanned; {@link #quoted} is the state at that position. */
    private int scanned;
    private boolean quoted;
    /** Position just after the last record end found in buf, or -1. */
    private int lastEnd = -1;
    private boolean headerDropped;
    private boolean eof;

    /** Buffers of loaded blocks, handed back by {@link #recycle} so memory stays flat. */
    private final Queue<byte[]> free = new ConcurrentLinkedQueue<>();

    public CsvBlocks(InputStream in, int blockSize) {
        this.in = in;
        this.blockSize = blockSize;
        this.buf = new byte[blockSize];
    }

    /** Takes back the buffer of a block that was sent (called from any thread). */
    public void recycle(Block block) {
        if (block.bytes().length == blockSize) {
            free.offer(block.bytes());
        }
    }

    /** The next block, or empty at the end of the stream. */
    public Optional<Block> next() throws IOException {
        while (true) {
            fill();
            if (!headerDropped) {
                int header = scan(true);
                if (header >= 0) {
                    keepFrom(header, buf.length);
                    headerDropped = true;
                } else if (eof) {
                    return Optional.empty();
                } else {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                continue;
            }
            if (eof) {
                if (len == 0) {
                    return Optional.empty();
                }
                Block last = new Block(buf, len);
                buf = new byte[0];
                len = 0;
                return Optional.of(last);
            }
            scan(false);
            if (lastEnd > 0) {
                Block block = new Block(buf, lastEnd);
                keepFrom(lastEnd, Math.max(blockSize, len - lastEnd));
                return Optional.of(block);
            }
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
    }

    private void fill() throws IOException {
        while (!eof && len < buf.length) {
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                eof = true;
            } else {
                len += n;
            }
        }
    }

    /**
     * Scans buf from {@link #scanned} to len for record ends. With {@code first}, stops after the
     * first one and returns the position after it (-1 if none); otherwise records the last one.
     */
    private int scan(boolean first) {
        byte[] b = buf;
        int i = first ? scanned : skipPlain(b, scanned, len);
        boolean q = quoted;
        int last = lastEnd;
        for (; i < len; i++) {
            byte c = b[i];
            if (c == '"') {
                q = !q;
            } else if (c == '\n' && !q) {
                last = i + 1;
                if (first) {
                    i++;
                    break;
                }
            }
        }
        scanned = i;
        quoted = q;
        lastEnd = last;
        return first ? last : -1;
    }

    /**
     * Scans {@code b} from {@code from} to {@code to} eight bytes at a time, updating the quote state
     * and the last record end, and returns where a shorter tail starts: words without a quote or a
     * newline are skipped whole ({@link CsvWords}), the others go byte by byte.
     */
    private int skipPlain(byte[] b, int from, int to) {
        boolean q = quoted;
        int last = lastEnd;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            if (!CsvWords.hasQuoteOrNewline(CsvWords.word(b, i))) {
                continue;
            }
            for (int j = i; j < i + 8; j++) {
                byte c = b[j];
                if (c == '"') {
                    q = !q;
                } else if (c == '\n' && !q) {
                    last = j + 1;
                }
            }
        }
        quoted = q;
        lastEnd = last;
        return i;
    }

    /** Starts a new buffer of {@code size} holding buf from {@code from} (a record start) to len. */
    private void keepFrom(int from, int size) {
        byte[] reused = size == blockSize ? free.poll() : null;
        byte[] next = reused != null ? reused : new byte[size];
        int rest = len - from;
        System.arraycopy(buf, from, next, 0, rest);
        buf = next;
        len = rest;
        scanned -= from;
        lastEnd = -1;
    }
}
