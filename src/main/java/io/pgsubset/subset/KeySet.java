package io.pgsubset.subset;

import java.util.List;

/**
 * A compact client-side set of row identities: the rows of one table the closure has selected,
 * or a round's frontier. Integer keys (and ctids) live in a {@link LongKeySet} (a 64-bit
 * RoaringBitmap), every other key in a {@link TupleKeySet} of encoded tuples.
 */
public sealed interface KeySet permits LongKeySet, TupleKeySet {
    long size();

    default boolean isEmpty() {
        return size() == 0;
    }

    /** Adds a key as produced by {@link RowIdentity#read}; true when it was not there yet. */
    boolean addKey(Object key);

    boolean containsKey(Object key);

    /** An empty set of the same kind. */
    KeySet emptyCopy();

    /** The keys in a deterministic order, split into chunks of at most {@code max} keys. */
    List<? extends KeyChunk> chunks(int max);

    /** Adds every key of {@code other} (of the same kind). */
    void addAll(KeySet other);

    /** A new set: the keys of this one that are not in {@code other} (of the same kind). */
    KeySet minus(KeySet other);

    /** Roughly how many bytes of heap the set holds. */
    long estimatedBytes();

    /** A part of a set, ready to be bound or rendered. */
    sealed interface KeyChunk permits LongKeySet.LongChunk, TupleKeySet.TupleChunk {
        int size();
    }
}
