package io.pgsubset.dump;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Rewrites PostgreSQL's CSV (as {@code COPY ... TO STDOUT (FORMAT csv)} writes it, no header) into
 * COPY's text format, byte by byte, as it streams. The SQL script needs text format: psql ends a
 * {@code COPY FROM STDIN} block at any line that is exactly {@code \.} without parsing CSV quotes
 * (its own source says so), so a quoted multi-line CSV value holding such a line would end the
 * block early; and PostgreSQL 18 no longer takes {@code \.} as the end of CSV data at all, so an
 * older psql's end marker would become a row. In text format every backslash of a value is
 * doubled and newlines are {@code \n}, so no data line can be {@code \.} on any version.
 *
 * <p>CSV as PostgreSQL writes it: fields separated by commas, a field quoted when it holds a comma,
 * quote, CR or LF (or is empty, or is {@code \.}), a quote inside doubled, NULL an unquoted empty
 * field. UTF-8 is safe byte by byte: no byte of a multi-byte character is below 0x80.
 */
final class CsvToText extends OutputStream {
    private enum State { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED }

    private static final int BUFFER = 1 << 16;

    private final OutputStream out;
    private final boolean noColumns;
    private final byte[] buf = new byte[BUFFER + 4];
    private int fill;
    private State state = State.FIELD_START;
    private boolean rowStart = true;

    /** @param columns the table's column count: a row of a table without columns is an empty line in both formats */
    CsvToText(OutputStream out, int columns) {
        this.out = out;
        this.noColumns = columns == 0;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (noColumns) {
            flushBuffer();
            out.write(b, off, len);
            return;
        }
        for (int i = off, end = off + len; i < end; i++) {
            take(b[i]);
            if (fill >= BUFFER) {
                flushBuffer();
            }
        }
    }

    private void take(byte c) throws IOException {
        rowStart = false;
        switch (state) {
            case FIELD_START -> {
                if (c == '"') {
                    state = State.QUOTED;
                } else if (c == ',') {
                    put((byte) '\\', (byte) 'N');
                    put((byte) '\t');
                } else if (c == '\n') {
                    put((byte) '\\', (byte) 'N');
                    put((byte) '\n');
                    rowStart = true;
                } else {
                    escaped(c);
                    state = State.UNQUOTED;
                }
            }
            case UNQUOTED -> {
                if (c == ',') {
                    put((byte) '\t');
                    state = State.FIELD_START;
                } else if (c == '\n') {
                    put((byte) '\n');
                    state = State.FIELD_START;
                    rowStart = true;
                } else {
                    escaped(c);
                }
            }
            case QUOTED -> {
                if (c == '"') {
                    state = State.QUOTE_IN_QUOTED;
                } else {
                    escaped(c);
                }
            }
            case QUOTE_IN_QUOTED -> {
                if (c == '"') {
                    put((byte) '"');
                    state = State.QUOTED;
                } else if (c == ',') {
                    put((byte) '\t');
                    state = State.FIELD_START;
                } else if (c == '\n') {
                    put((byte) '\n');
                    state = State.FIELD_START;
                    rowStart = true;
                } else {
                    throw new IOException("malformed CSV from the server: a quoted field goes on after its closing quote");
                }
            }
        }
    }

    /** A value's byte in text format: backslash, newline, carriage return and tab are escaped. */
    private void escaped(byte c) {
        switch (c) {
            case '\\' -> put((byte) '\\', (byte) '\\');
            case '\n' -> put((byte) '\\', (byte) 'n');
            case '\r' -> put((byte) '\\', (byte) 'r');
            case '\t' -> put((byte) '\\', (byte) 't');
            default -> put(c);
        }
    }

    private void put(byte c) {
        buf[fill++] = c;
    }

    private void put(byte a, byte b) {
        buf[fill++] = a;
        buf[fill++] = b;
    }

    private void flushBuffer() throws IOException {
        if (fill > 0) {
            out.write(buf, 0, fill);
            fill = 0;
        }
    }

    /** Whether the CSV so far ended with a complete row (the end of a COPY must be). */
    boolean atRowStart() {
        return rowStart;
    }

    /** Writes what is buffered; the underlying stream stays open (the script goes on). */
    @Override
    public void flush() throws IOException {
        flushBuffer();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        flushBuffer();
    }
}
