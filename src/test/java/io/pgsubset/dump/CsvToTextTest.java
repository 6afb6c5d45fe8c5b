package io.pgsubset.dump;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PostgreSQL's CSV rewritten as COPY text format; the round trip through a server is SqlScriptTest's. */
class CsvToTextTest {
    private static String convert(String csv, int columns, int pieceSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CsvToText text = new CsvToText(out, columns);
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += pieceSize) {
            text.write(bytes, i, Math.min(pieceSize, bytes.length - i));
        }
        text.close();
        assertTrue(text.atRowStart(), "ends with a whole row");
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void nullsEmptyStringsQuotesAndEscapes() throws IOException {
        String csv = ",\"\",plain\n"
                + "\"a,b\",\"say \"\"hi\"\"\",back\\slash\n"
                + "\"line1\nline2\r\n\",tab\there,\n";
        String text = "\\N\t\tplain\n"
                + "a,b\tsay \"hi\"\tback\\\\slash\n"
                + "line1\\nline2\\r\\n\ttab\\there\t\\N\n";
        for (int piece : new int[] {1, 3, 1000}) {
            assertEquals(text, convert(csv, 3, piece), "written " + piece + " bytes at a time");
        }
    }

    /** The end marker as a value, alone or on a line of a multi-line value: never a line of its own in text format. */
    @Test
    void endMarkerValuesNeverMakeALineOfTheirOwn() throws IOException {
        String csv = "\"\\.\"\n\"a\n\\.\nb\"\n\"\\N\"\n";
        String text = convert(csv, 1, 2);
        assertEquals("\\\\.\na\\n\\\\.\\nb\n\\\\N\n", text);
        assertFalse(text.lines().anyMatch("\\."::equals));
    }

    @Test
    void aTableWithoutColumnsKeepsItsEmptyRows() throws IOException {
        assertEquals("\n\n", convert("\n\n", 0, 1));
        assertEquals("\\N\n", convert("\n", 1, 1));
    }

    @Test
    void aStreamCutInsideARowIsNoWholeRow() throws IOException {
        CsvToText text = new CsvToText(new ByteArrayOutputStream(), 2);
        text.write("1,\"open".getBytes(StandardCharsets.UTF_8));
        assertFalse(text.atRowStart());
        assertThrows(IOException.class, () -> new CsvToText(new ByteArrayOutputStream(), 1)
                .write("\"a\"b\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void dollarQuotesWithATagNoNameHolds() {
        assertEquals("DO $pgsubset$ x $pgsubset$;", SqlScript.dollarQuoted("DO \0 x \0;"));
        assertEquals("DO $pgsubset_1$ \"$pgsubset$\" $pgsubset_1$;",
                SqlScript.dollarQuoted("DO \0 \"$pgsubset$\" \0;"));
    }
}
