package io.pgsubset.subset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of keys that are not a single integer: composite keys, text or uuid keys, (tableoid, ctid).
 * Each key is the text form of its columns joined by NUL, which no PostgreSQL text value contains,
 * so the encoding is unambiguous.
 */
public final class TupleKeySet implements KeySet {
    static final char SEPARATOR = '\0';

    private final int width;
    private final Set<String> keys = new HashSet<>();

    public TupleKeySet(int width) {
        if (width < 1) {
            throw new IllegalArgumentException("a key has at least one column");
        }
        this.width = width;
    }

    public int width() {
        return width;
    }

    /** Adds a key given as the text form of each column; true when it was not there yet. */
    public boolean add(String... columns) {
        return keys.add(encode(columns));
    }

    public boolean contains(String... columns) {
        return keys.contains(encode(columns));
    }

    String encode(String... columns) {
        if (columns.length != width) {
            throw new IllegalArgumentException("expected " + width + " key columns, got " + columns.length);
        }
        return String.join(String.valueOf(SEPARATOR), columns);
    }

    @Override
    public long size() {
        return keys.size();
    }

    @Override
    public boolean addKey(Object key) {
        return keys.add((String) key);
    }

    @Override
    public boolean containsKey(Object key) {
        return keys.contains((String) key);
    }

    @Override
    public KeySet emptyCopy() {
        return new TupleKeySet(width);
    }

    @Override
    public List<TupleChunk> chunks(int max) {
        String[] sorted = keys.toArray(String[]::new);
        Arrays.sort(sorted);
        List<TupleChunk> out = new ArrayList<>();
        for (int from = 0; from < sorted.length; from += max) {
            int to = Math.min(sorted.length, from + max);
            String[][] columns = new String[width][to - from];
            for (int i = from; i < to; i++) {
                String[] parts = sorted[i].split(String.valueOf(SEPARATOR), -1);
                for (int c = 0; c < width; c++) {
                    columns[c][i - from] = parts[c];
                }
            }
            out.add(new TupleChunk(columns));
        }
        return out;
    }

    @Override
    public void addAll(KeySet other) {
        keys.addAll(((TupleKeySet) other).keys);
    }

    @Override
    public KeySet minus(KeySet other) {
        TupleKeySet out = new TupleKeySet(width);
        out.keys.addAll(keys);
        out.keys.removeAll(((TupleKeySet) other).keys);
        return out;
    }

    @Override
    public long estimatedBytes() {
        long chars = 0;
        for (String k : keys) {
            chars += k.length();
        }
        // String object + array header + HashMap node and table slot, roughly.
        return chars + keys.size() * 88L;
    }

    /** Keys column by column: {@code columns[c][i]} is column c of key i. */
    public record TupleChunk(String[][] columns) implements KeyChunk {
        @Override
        public int size() {
            return columns[0].length;
        }
    }
}
