package io.pgsubset.subset;

import org.roaringbitmap.longlong.LongIterator;
import org.roaringbitmap.longlong.Roaring64Bitmap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of 64-bit keys (single-column integer keys, or ctids packed as block << 16 | offset) in a
 * {@link Roaring64Bitmap}: dense key ranges such as serial ids cost a few bits per key, so ten
 * million keys take tens of megabytes, not hundreds.
 */
public final class LongKeySet implements KeySet {
    private final Roaring64Bitmap bits = new Roaring64Bitmap();

    public LongKeySet() {
    }

    public static LongKeySet of(long... keys) {
        LongKeySet set = new LongKeySet();
        for (long k : keys) {
            set.add(k);
        }
        return set;
    }

    /** True when the key was not in the set yet. */
    public boolean add(long key) {
        if (bits.contains(key)) {
            return false;
        }
        bits.addLong(key);
        return true;
    }

    /** Adds the keys {@code from} (inclusive) to {@code to} (exclusive) at once. */
    public void addRange(long from, long to) {
        bits.addRange(from, to);
    }

    public boolean contains(long key) {
        return bits.contains(key);
    }

    /** The keys in ascending (unsigned) order. */
    public long[] toArray() {
        return bits.toArray();
    }

    /** Compacts the bitmap's containers (run-length encodes dense ranges). */
    public void optimize() {
        bits.runOptimize();
    }

    @Override
    public long size() {
        return bits.getLongCardinality();
    }

    @Override
    public boolean addKey(Object key) {
        return add((Long) key);
    }

    @Override
    public boolean containsKey(Object key) {
        return contains((Long) key);
    }

    @Override
    public KeySet emptyCopy() {
        return new LongKeySet();
    }

    @Override
    public List<LongChunk> chunks(int max) {
        List<LongChunk> out = new ArrayList<>();
        long[] buffer = new long[(int) Math.min(max, Math.max(1, size()))];
        int n = 0;
        LongIterator it = bits.getLongIterator();
        while (it.hasNext()) {
            buffer[n++] = it.next();
            if (n == buffer.length) {
                out.add(new LongChunk(buffer.clone()));
                n = 0;
            }
        }
        if (n > 0) {
            out.add(new LongChunk(Arrays.copyOf(buffer, n)));
        }
        return out;
    }

    @Override
    public void addAll(KeySet other) {
        bits.or(((LongKeySet) other).bits);
    }

    @Override
    public KeySet minus(KeySet other) {
        LongKeySet out = new LongKeySet();
        out.bits.or(bits);
        out.bits.andNot(((LongKeySet) other).bits);
        return out;
    }

    @Override
    public long estimatedBytes() {
        return bits.getLongSizeInBytes();
    }

    /** Keys in ascending order. */
    public record LongChunk(long[] keys) implements KeyChunk {
        @Override
        public int size() {
            return keys.length;
        }
    }
}
