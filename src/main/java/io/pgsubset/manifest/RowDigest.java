package io.pgsubset.manifest;

import java.io.IOException;
import java.io.OutputStream;
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
 */
public final class RowDigest extends OutputStream {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private final boolean skipHeader;
    private boolean inHeader;
    private boolean quoted;
    private long h1;
    private long h2;
    private long length;
    private long sumLow;
    private long sumHigh;
    private long rows;

    /** @param skipHeader whether the stream starts with a CSV header line to leave out */
    public RowDigest(boolean skipHeader) {
        this.skipHeader = skipHeader;
        this.inHeader = skipHeader;
        startRecord();
    }

    private void startRecord() {
        h1 = 0x9368e53c2f6af274L;
        h2 = 0x586dcd208f7cd3fdL;
        length = 0;
    }

    @Override
    public void write(int b) {
        byte c = (byte) b;
        if (c == '"') {
            quoted = !quoted;
        }
        if (c == '\n' && !quoted) {
            if (inHeader) {
                inHeader = false;
            } else {
                endRecord();
            }
            startRecord();
            return;
        }
        if (!inHeader) {
            mix(c);
        }
    }

    /**
     * The same as {@link #write(int)} for each byte, with the state in local variables: this is the
     * dump's hot loop (every byte of every data file), and keeping the hash in registers makes it
     * several times faster than going through the fields byte by byte.
     */
    @Override
    public void write(byte[] b, int off, int len) {
        long x1 = h1;
        long x2 = h2;
        long n = length;
        boolean q = quoted;
        for (int i = off, end = off + len; i < end; i++) {
            byte c = b[i];
            if (c == '"') {
                q = !q;
            } else if (c == '\n' && !q) {
                if (inHeader) {
                    inHeader = false;
                } else {
                    h1 = x1;
                    h2 = x2;
                    length = n;
                    endRecord();
                }
                x1 = 0x9368e53c2f6af274L;
                x2 = 0x586dcd208f7cd3fdL;
                n = 0;
                continue;
            }
            if (!inHeader) {
                x1 ^= (c & 0xff);
                x1 *= C1;
                x1 = Long.rotateLeft(x1, 31);
                x2 += x1;
                x2 = Long.rotateLeft(x2, 27) * 5 + 0x52dce729;
                n++;
            }
        }
        h1 = x1;
        h2 = x2;
        length = n;
        quoted = q;
    }

    private void mix(byte c) {
        h1 ^= (c & 0xff);
        h1 *= C1;
        h1 = Long.rotateLeft(h1, 31);
        h2 += h1;
        h2 = Long.rotateLeft(h2, 27) * 5 + 0x52dce729;
        length++;
    }

    private void endRecord() {
        long a = fmix(h1 ^ length);
        long b = fmix(h2 + a * C2);
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
        java.math.BigInteger mod = java.math.BigInteger.ONE.shiftLeft(128);
        java.math.BigInteger sum = new java.math.BigInteger(a, 16).add(new java.math.BigInteger(b, 16)).mod(mod);
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
