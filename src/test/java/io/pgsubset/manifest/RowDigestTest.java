package io.pgsubset.manifest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void aChangeAtAnyPositionOfALongRecordChangesTheDigest() throws Exception {
        // records are hashed in eight-byte words plus a tail: every position of both must count
        String row = "42,\\x" + "0123456789abcdef".repeat(6) + ",tail-bytes\n";
        String base = RowDigest.of(row, false);
        java.util.Set<String> seen = new java.util.HashSet<>(java.util.List.of(base));
        for (int i = 0; i < row.length() - 1; i++) {
            String changed = row.substring(0, i) + (row.charAt(i) == 'z' ? 'y' : 'z') + row.substring(i + 1);
            assertTrue(seen.add(RowDigest.of(changed, false)), "position " + i);
        }
        assertNotEquals(base, RowDigest.of(row.replace("tail-bytes", "tail-bytes\0"), false), "a trailing zero byte");
    }

    @Test
    void bulkWritesInAnySplitDigestLikeSingleBytes() throws Exception {
        java.util.Random random = new java.util.Random(7);
        byte[] alphabet = "ab,\"\n\\x1 \u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int round = 0; round < 200; round++) {
            byte[] csv = new byte[random.nextInt(400)];
            for (int i = 0; i < csv.length; i++) {
                csv[i] = alphabet[random.nextInt(alphabet.length)];
            }
            boolean header = random.nextBoolean();
            RowDigest single = new RowDigest(header);
            for (byte c : csv) {
                single.write(c);
            }
            RowDigest bulk = new RowDigest(header);
            int at = 0;
            while (at < csv.length) {
                int n = 1 + random.nextInt(csv.length - at);
                bulk.write(csv, at, n);
                at += n;
            }
            assertEquals(single.rows(), bulk.rows(), "rows, round " + round);
            assertEquals(digestOrState(single), digestOrState(bulk), "round " + round);
        }
    }

    private static String digestOrState(RowDigest d) {
        try {
            return d.digest();
        } catch (IllegalStateException e) {
            return "inside quotes";
        }
    }

    @Test
    void digestsOfChunksCombineToTheDigestOfTheWhole() throws Exception {
        String whole = RowDigest.of("1,a\n2,b\n3,c\n", false);
        assertEquals(whole, RowDigest.combine(RowDigest.of("1,a\n", false), RowDigest.of("2,b\n3,c\n", false)));
    }
    @Test
    void digestOfAFixedStreamIsPinned() throws Exception {
        // the manifest's rowhash2 values: a faster digest must give these same digits (or a new ALGORITHM name)
        StringBuilder csv = new StringBuilder("id,t,u\n");
        java.util.Random random = new java.util.Random(11);
        String quotedChars = "ab,\"\n\\x0123456789 \u00e9";
        for (int i = 0; i < 300; i++) {
            csv.append(i).append(',');
            int n = random.nextInt(40);
            if (random.nextBoolean()) {
                csv.append('"');
                for (int j = 0; j < n; j++) {
                    char c = quotedChars.charAt(random.nextInt(quotedChars.length()));
                    csv.append(c == '"' ? "\"\"" : String.valueOf(c));
                }
                csv.append('"');
            } else {
                for (int j = 0; j < n; j++) {
                    csv.append("abcdef0123456789\\x".charAt(random.nextInt(18)));
                }
            }
            csv.append(",end\n");
        }
        assertEquals("rowhash2", RowDigest.ALGORITHM);
        assertEquals("dca19fc53a2b4f4e3d7e4e6dbfeabfc4", RowDigest.of(csv.toString(), true));
        assertEquals("dca19fc53a2b4f4e3d7e4e6dbfeabfc4", RowDigest.of(csv.substring(7), false));
    }
}
