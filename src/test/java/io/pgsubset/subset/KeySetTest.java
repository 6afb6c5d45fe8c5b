package io.pgsubset.subset;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeySetTest {
    @Test
    void tenMillionSparseIntegerKeysTakeTensOfMegabytesNotHundreds() {
        LongKeySet set = new LongKeySet();
        for (long i = 0; i < 10_000_000L; i++) {
            set.add(i * 500 + 1); // every 500th id of a 5-billion-row table
        }
        set.optimize();
        assertEquals(10_000_000L, set.size());
        assertTrue(set.contains(500L * 1234 + 1));
        assertFalse(set.contains(2));
        long bytes = set.estimatedBytes();
        assertTrue(bytes < 64L * 1024 * 1024, "10M keys take " + bytes + " bytes");
    }

    @Test
    void chunksAreSortedDisjointAndComplete() {
        LongKeySet set = LongKeySet.of(9, 3, 7, 1, 5);
        List<LongKeySet.LongChunk> chunks = set.chunks(2);
        assertEquals(3, chunks.size());
        assertArrayEquals(new long[] {1, 3}, chunks.get(0).keys());
        assertArrayEquals(new long[] {5, 7}, chunks.get(1).keys());
        assertArrayEquals(new long[] {9}, chunks.get(2).keys());
    }

    @Test
    void tupleKeysRoundTripAnyText() {
        String tricky = "us, \"q\"\\";
        TupleKeySet set = new TupleKeySet(2);
        assertTrue(set.add(tricky, "1"));
        assertFalse(set.add(tricky, "1"));
        assertTrue(set.add("", "1"));
        List<TupleKeySet.TupleChunk> chunks = set.chunks(10);
        assertEquals(1, chunks.size());
        assertArrayEquals(new String[] {"", tricky}, chunks.get(0).columns()[0]);
        // array literal elements: quoted, with backslash before quote and backslash
        assertEquals("{\"\",\"us, \\\"q\\\"\\\\\"}", RowIdentity.Tuple.arrayLiteral(chunks.get(0).columns()[0]));
    }

    @Test
    void ctidsPackIntoLongsAndBack() {
        long packed = RowIdentity.Ctid.pack("(4294967295,65535)");
        assertEquals("(4294967295,65535)", RowIdentity.Ctid.unpack(packed));
        assertEquals("(0,1)", RowIdentity.Ctid.unpack(RowIdentity.Ctid.pack("(0,1)")));
    }
}
