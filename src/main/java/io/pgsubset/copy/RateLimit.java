package io.pgsubset.copy;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * One budget of bytes per second shared by every stream of a run ({@code --max-rate}, all jobs
 * together): a stream asks for its bytes as they pass and sleeps while the run is ahead of the
 * rate. After a pause at most a quarter second's worth goes out at once, so the long-run rate
 * holds whatever the number of streams. Thread-safe.
 */
public final class RateLimit {
    /** No limit: nothing waits. */
    public static final RateLimit NONE = new RateLimit(0);

    private static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** A stream asks for its bytes in steps of about a tenth of a second's worth (at most 64 kB): smooth, few calls. */
    private static final long MAX_STEP = 1 << 16;

    private final long bytesPerSecond;
    private final double nanosPerByte;
    /** When the bytes granted so far are paid for at the rate (System.nanoTime). */
    private long paidUntil = System.nanoTime();

    private RateLimit(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        this.nanosPerByte = bytesPerSecond == 0 ? 0 : 1e9 / bytesPerSecond;
    }

    /** A limit of {@code bytesPerSecond} (at least 1). */
    public static RateLimit of(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("a rate must be at least 1 byte per second, got " + bytesPerSecond);
        }
        return new RateLimit(bytesPerSecond);
    }

    public boolean limited() {
        return bytesPerSecond > 0;
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Waits until {@code bytes} more fit the rate. */
    void acquire(long bytes) throws InterruptedIOException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long from = Math.max(paidUntil, now - BURST_NANOS);
            paidUntil = from + Math.round(bytes * nanosPerByte);
            wait = paidUntil - now;
        }
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while holding the copy to --max-rate");
            }
        }
    }

    /** {@code out} paced by this limit (itself when there is none). */
    public OutputStream throttle(OutputStream out) {
        return limited() ? new Throttled(out, Math.max(1, Math.min(MAX_STEP, bytesPerSecond / 10))) : out;
    }

    /** Passes bytes on at once and settles the account every {@code step} bytes and on flush. */
    private final class Throttled extends FilterOutputStream {
        private final long step;
        private long owed;

        Throttled(OutputStream out, long step) {
            super(out);
            this.step = step;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            owe(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            owe(len);
        }

        private void owe(long n) throws InterruptedIOException {
            owed += n;
            if (owed >= step) {
                acquire(owed);
                owed = 0;
            }
        }

        @Override
        public void flush() throws IOException {
            if (owed > 0) {
                acquire(owed);
                owed = 0;
            }
            out.flush();
        }

        /** The caller owns the stream below: closing the throttle settles its account only. */
        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
