package io.pgsubset.copy;

import io.pgsubset.manifest.RowDigest;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The row digest as a tee on any stream of CSV records: every byte goes to the sink and through
 * the digest (order-independent, so block ranges copied apart combine with {@link RowDigest#combine}).
 */
public final class Tee extends OutputStream {
    private final OutputStream sink;
    private final RowDigest digest;

    /** @param header the stream starts with a CSV header record, left out of the digest */
    public Tee(OutputStream sink, boolean header) {
        this.sink = sink;
        this.digest = new RowDigest(header);
    }

    @Override
    public void write(int b) throws IOException {
        sink.write(b);
        digest.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        sink.write(b, off, len);
        digest.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        sink.flush();
    }

    /** Closes the sink (e.g. ends a gzip member); the digest stays readable. */
    @Override
    public void close() throws IOException {
        sink.close();
    }

    /** Records seen so far. */
    public long rows() {
        return digest.rows();
    }

    /** The digest of every record seen; call at the end. */
    public String digest() {
        return digest.digest();
    }
}
