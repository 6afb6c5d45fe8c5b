package io.pgsubset.copy;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.SQLException;

/**
 * Where the CSV of one piece of copy work goes: a data file, a table's {@code COPY ... FROM STDIN},
 * or whatever else a pairing writes. Each sink computes the row digest of what it took ({@link Tee}),
 * on whichever thread suits it. {@link #finish} completes the piece; {@link #close} without it
 * abandons it (nothing of it is kept or committed).
 */
public abstract class Sink extends OutputStream {
    /** What one finished piece took: its records (a header excluded) and their row digest. */
    public record Arrived(long rows, String rowDigest) {
    }

    /** Whether the stream starts with a CSV header record (a data file does, a COPY into a table does not). */
    public abstract boolean header();

    /** Records taken so far, for progress; from the thread that writes. */
    public abstract long rows();

    /** Completes the piece: every byte stored or loaded. */
    public abstract Arrived finish() throws IOException, SQLException;

    /** Abandons the piece unless it finished; releases what the sink holds. */
    @Override
    public abstract void close() throws IOException;
}
