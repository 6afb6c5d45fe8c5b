package io.pgsubset.manifest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class RowDigestTest {
    @Test
    void sameRowsInAnyOrderGiveTheSameDigest() throws Exception {
        String a = "id,t\n1,\"x\ny\"\n2,\"a,\"\"b\"\"\"\n3,\n";
        String b = "id,t\n3,\n2,\"a,\"\"b\"\"\"\n1,\"x\ny\"\n";
        assertEquals(RowDigest.of(a, true), RowDigest.of(b, true));
    }

    @Test
    void aChangedMissingOrExtraRowChangesTheDigest() throws Exception {
        String base = RowDigest.of("1,a\n2,b\n", false);
        assertNotEquals(base, RowDigest.of("1,a\n2,c\n", false));
        assertNotEquals(base, RowDigest.of("1,a\n", false));
        assertNotEquals(base, RowDigest.of("1,a\n2,b\n2,b\n", false));
        assertNotEquals(RowDigest.of("1,\"\"\n", false), RowDigest.of("1,\n", false), "empty string versus NULL");
    }

    @Test
    void digestsOfChunksCombineToTheDigestOfTheWhole() throws Exception {
        String whole = RowDigest.of("1,a\n2,b\n3,c\n", false);
        assertEquals(whole, RowDigest.combine(RowDigest.of("1,a\n", false), RowDigest.of("2,b\n3,c\n", false)));
    }
}
