package io.pgsubset.copy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A data file cut into blocks of whole CSV records, for several COPY streams of one table. */
class CsvBlocksTest {
    @Test
    void blocksEndAtRecordEndsOnly() throws IOException {
        String csv = "\"h\n1\",h2\n" + "a,\"x\ny\"\n" + "\"\"\"\n\",b\n" + "c,d";
        CsvBlocks blocks = new CsvBlocks(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), 4);
        StringBuilder all = new StringBuilder();
        for (Optional<CsvBlocks.Block> b = blocks.next(); b.isPresent(); b = blocks.next()) {
            String text = new String(b.get().bytes(), 0, b.get().length(), StandardCharsets.UTF_8);
            assertTrue(text.endsWith("\n") || text.equals("c,d"), "a block ends inside a record: " + text);
            all.append(text);
        }
        assertEquals("a,\"x\ny\"\n\"\"\"\n\",b\nc,d", all.toString(), "the header record is dropped, nothing else");
    }

    @Test
    void blocksOfAnySizeCutExactlyAtRecordEnds() throws IOException {
        java.util.Random random = new java.util.Random(7);
        StringBuilder csv = new StringBuilder("id,\"x\ny\"\n");
        String[] pieces = {"abc", "\"q\"\"\n\"", "\"\"", ",", "\"a,\nb\"", "0123456789abcdef", "\"\n\n\""};
        for (int r = 0; r < 400; r++) {
            csv.append(r);
            for (int f = random.nextInt(4); f > 0; f--) {
                csv.append(',').append(pieces[random.nextInt(pieces.length)]);
            }
            csv.append('\n');
        }
        String body = csv.substring(csv.indexOf("\"\n") + 2);
        java.util.Set<Integer> ends = new java.util.HashSet<>();
        boolean quoted = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\n' && !quoted) {
                ends.add(i + 1);
            }
        }
        for (int size : new int[] {8, 13, 64, 100, 1000, 1 << 16}) {
            CsvBlocks blocks = new CsvBlocks(new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)),
                    size);
            StringBuilder all = new StringBuilder();
            for (Optional<CsvBlocks.Block> b = blocks.next(); b.isPresent(); b = blocks.next()) {
                all.append(new String(b.get().bytes(), 0, b.get().length(), StandardCharsets.UTF_8));
                assertTrue(ends.contains(all.length()), "block size " + size + ": a block ends inside a record at "
                        + all.length());
            }
            assertEquals(body, all.toString(), "block size " + size);
        }
    }

}
