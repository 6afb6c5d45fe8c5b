package io.pgsubset.manifest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * PostgreSQL's CSV read eight bytes at a time: only a quote or a newline can change where a record
 * ends, and most words of a data file (digits, hex of bytea) hold neither. The row digest and the
 * restore's block cutter both skip such words whole with these tests.
 */
public final class CsvWords {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long LOWS = 0x7F7F7F7F7F7F7F7FL;
    private static final long HIGHS = 0x8080808080808080L;
    static final long NEWLINES = ONES * '\n';
    static final long QUOTES = ONES * '"';

    private CsvWords() {
    }

    /** The eight bytes at {@code b[i]}, little-endian (the first byte in the low bits). */
    public static long word(byte[] b, int i) {
        return (long) LONGS.get(b, i);
    }

    /** Whether the word holds a quote or a newline (exact: a byte of {@code w ^ c} is zero exactly where w holds c). */
    public static boolean hasQuoteOrNewline(long w) {
        long n = w ^ NEWLINES;
        long q = w ^ QUOTES;
        return ((((n - ONES) & ~n) | ((q - ONES) & ~q)) & HIGHS) != 0;
    }

    /** The high bit of every byte of {@code w} that equals the byte repeated in {@code pattern}; exact. */
    static long bytesEqual(long w, long pattern) {
        long x = w ^ pattern;
        return ~(((x & LOWS) + LOWS) | x | LOWS);
    }
}
