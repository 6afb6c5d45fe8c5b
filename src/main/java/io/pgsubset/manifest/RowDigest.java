package io.pgsubset.manifest;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * An order-independent digest of a table's rows, fed with the bytes of a CSV stream as COPY writes
 * it (header excluded). Each record is hashed on its own and the hashes are added modulo 2^128, so
 * the same multiset of rows gives the same digest in any order; the dump computes it while writing
 * the data file and verify recomputes it from a COPY of the restored table.
 *
 * <p>Records are split on newlines outside quotes: in PostgreSQL's CSV output a quote inside a
 * quoted field is doubled, so toggling on every quote character tracks the state exactly.
 *
 * <p>This is the dump's hot loop: it sees every byte of every data file. So it reads the stream in
 * eight-byte little-endian words, finds quotes and newlines in a word with bit masks, and hashes a
 * record's words on two independent lanes in the same pass; a record's last partial word is taken
 * whole as its tail, and only the bytes of a word cut by a write go one at a time. Words are counted from the start of each record, so the result does not depend on
 * how the stream is cut into writes (a word that straddles two writes is assembled in {@code tail}). It is a checksum against accidental
 * change, not a cryptographic hash; the data files' SHA-256 is what guards against tampering.
 */
public final class RowDigest extends OutputStream {
    /** Names the algorithm in the manifest's format version: change both together. */
    public static final String ALGORITHM = "rowhash2";

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long SEED1 = 0x9368e53c2f6af274L;
    private static final long SEED2 = 0x586dcd208f7cd3fdL;

    private boolean inHeader;
    private boolean quoted;
    private long lane1;
    private long lane2;
    private long tail;
    private int tailBytes;
    private long length;
    private long sumLow;
    private long sumHigh;
    private long rows;

    /** @param skipHeader whether the stream starts with a CSV header line to leave out */
    public RowDigest(boolean skipHeader) {
        this.inHeader = skipHeader;
        startRecord();
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            if (tailBytes > 0 || end - i < 8) {
                take(b[i++]);
                continue;
            }
            if (!inHeader) {
                i = plainWords(b, i, end);
                if (end - i < 8) {
                    continue;
                }
            }
            long w = CsvWords.word(b, i);
            long newlines = CsvWords.bytesEqual(w, CsvWords.NEWLINES);
            long quotes = CsvWords.bytesEqual(w, CsvWords.QUOTES);
            int stop = newlines == 0 ? -1 : firstUnquoted(newlines, quotes);
            if (stop < 0) {
                // no record ends in this word: it is hashed whole, and an odd number of quotes flips the state
                quoted ^= (Long.bitCount(quotes) & 1) == 1;
                if (!inHeader) {
                    lane1 = round(lane1, w);
                    lane2 = round2(lane2, w);
                    length += 8;
                }
                i += 8;
            } else if (inHeader) {
                for (int last = i + stop; i <= last; ) {
                    take(b[i++]);
                }
            } else {
                endRecordAt(w, quotes, stop);
                i += stop + 1;
            }
        }
    }

    /**
     * The common case in a tight loop with the state in registers: hashes the whole words from
     * {@code from} on that hold neither a quote nor a newline; returns where it stopped.
     */
    private int plainWords(byte[] b, int from, int end) {
        long x1 = lane1;
        long x2 = lane2;
        int i = from;
        for (int last = end - 8; i <= last; i += 8) {
            long w = CsvWords.word(b, i);
            if (CsvWords.hasQuoteOrNewline(w)) {
                break;
            }
            x1 = round(x1, w);
            x2 = round2(x2, w);
        }
        lane1 = x1;
        lane2 = x2;
        length += i - from;
        return i;
    }

    /**
     * The byte index in the word of the first newline outside quotes, or -1. {@code newlines} and
     * {@code quotes} mark the matching bytes with their high bit; the quote state at a newline is the
     * state before the word flipped once per quote in front of it.
     */
    private int firstUnquoted(long newlines, long quotes) {
        long rest = newlines;
        while (rest != 0) {
            int bit = Long.numberOfTrailingZeros(rest);
            boolean q = quoted ^ ((Long.bitCount(quotes & ((1L << bit) - 1)) & 1) == 1);
            if (!q) {
                return bit >>> 3;
            }
            rest &= rest - 1;
        }
        return -1;
    }

    /**
     * The record ends at byte {@code stop} of word {@code w}, which starts the record's last partial
     * word ({@code tailBytes} is 0): its bytes before the newline are the tail, taken whole as the
     * byte path would have gathered them, and its quotes before the newline flip the state.
     */
    private void endRecordAt(long w, long quotes, int stop) {
        long before = (1L << (8 * stop)) - 1;
        quoted ^= (Long.bitCount(quotes & before) & 1) == 1;
        tail = w & before;
        length += stop;
        endRecord();
        startRecord();
    }

    /** One byte through the state machine: quotes toggle, an unquoted newline ends the record. */
    private void take(byte c) {
        if (c == '"') {
            quoted = !quoted;
        } else if (c == '\n' && !quoted) {
            if (inHeader) {
                inHeader = false;
            } else {
                endRecord();
            }
            startRecord();
            return;
        }
        if (!inHeader) {
            length++;
            tail |= (c & 0xffL) << (8 * tailBytes);
            if (++tailBytes == 8) {
                lane1 = round(lane1, tail);
                lane2 = round2(lane2, tail);
                tail = 0;
                tailBytes = 0;
            }
        }
    }

    private static long round(long acc, long w) {
        return Long.rotateLeft(acc + w * P2, 31) * P1;
    }

    private static long round2(long acc, long w) {
        return Long.rotateLeft(acc ^ (w * P3), 27) * P4 + P1;
    }

    private void startRecord() {
        lane1 = SEED1;
        lane2 = SEED2;
        tail = 0;
        tailBytes = 0;
        length = 0;
    }

    private void endRecord() {
        // The length tells a record whose last word is zero-padded from one that ends in zero bytes.
        long a = fmix(round(lane1, tail) ^ length);
        long b = fmix(round2(lane2, tail) + a * P3);
        a += b;
        long low = sumLow + a;
        sumHigh += b + (Long.compareUnsigned(low, sumLow) < 0 ? 1 : 0);
        sumLow = low;
        rows++;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** Records seen so far. */
    public long rows() {
        return rows;
    }

    /** The digest as 32 hex digits; call after the stream ended with its final newline. */
    public String digest() {
        if (quoted) {
            throw new IllegalStateException("CSV stream ended inside a quoted field");
        }
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(sumHigh) + hex.toHexDigits(sumLow);
    }

    /** Combines digests of parts of one table (e.g. chunks written by several COPY statements). */
    public static String combine(String a, String b) {
        BigInteger mod = BigInteger.ONE.shiftLeft(128);
        BigInteger sum = new BigInteger(a, 16).add(new BigInteger(b, 16)).mod(mod);
        String s = sum.toString(16);
        return "0".repeat(32 - s.length()) + s;
    }

    /** Digest of a whole CSV text; for tests and small inputs. */
    public static String of(String csv, boolean skipHeader) throws IOException {
        try (RowDigest d = new RowDigest(skipHeader)) {
            d.write(csv.getBytes(StandardCharsets.UTF_8));
            return d.digest();
        }
    }
}
