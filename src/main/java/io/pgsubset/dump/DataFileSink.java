package io.pgsubset.dump;

import io.pgsubset.copy.Sink;
import io.pgsubset.copy.Tee;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * A data file as the sink of a copy: the file (gzipped or not) and, on the way, the sha256 and size
 * of the file as written and the row digest of the CSV ({@link Tee}). Rows are never parsed beyond
 * the digest's record boundaries.
 *
 * <p>The connection's thread only gathers rows into chunks of 256 kB; the digest, compressing,
 * hashing and writing happen on a thread of their own, so the client keeps draining the server's
 * COPY stream while the previous chunk is hashed (the client's CPU per byte, not the server, used
 * to bound a full dump). A table that fits in one chunk is written by the connection's thread when
 * it ends: there is nothing to overlap, and a thread start per table cost more than the write.
 *
 * <p>The writer thread only pays where a core is free for it ({@link #writerThreadPays}). With the
 * server on the same machine, each copy already keeps a server process and the connection's thread
 * busy; on 2 cores a third busy thread only took turns with them, and handing every chunk over cost
 * CPU of its own: a 1.1 GB table 8.1 -> 7.9 s, the client's CPU 6.0 -> 5.5 s with every chunk
 * written by the connection's thread (4 runs each, interleaved).
 *
 * <p>A part of a split table (see {@link SplitFile}) gets a sink of its own: the first part writes
 * into the data file, the others into temporary files appended to it in order.
 */
final class DataFileSink extends Sink {
    private static final int BUFFER = 1 << 16;
    /**
     * 256 kB: a chunk's pages are fresh heap the first time, and a cold dump spent 27 ms of CPU
     * faulting in and zeroing 1 MB chunks, while hashing and writing gain nothing from bigger ones.
     */
    private static final int CHUNK = 1 << 18;
    private static final int CHUNKS_IN_FLIGHT = 4;
    /**
     * Chunks outlive their sink: a big table split into block ranges gets a sink per range (21 at
     * 2.6 GB), and each sink's chunks, in use for seconds, reach the old generation; reallocated
     * per sink they piled up there until a full collection (peak RSS of a --jobs 2 dump 160 MB at
     * 0.76 GB of data, 280 MB at 3 GB). Reused, they stay the same few.
     */
    private static final BlockingQueue<byte[]> POOL = new ArrayBlockingQueue<>(32);

    private final SinkOutput out;
    private final boolean header;
    private final boolean writerThread;
    private final Tee csv;
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(CHUNKS_IN_FLIGHT);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS_IN_FLIGHT + 1);
    /**
     * Started with the first full chunk: a table that fits in one chunk (most of a schema's tables)
     * is written on the copy's own thread when it finishes, without a thread start per table.
     */
    private Thread worker;
    private volatile Throwable failure;
    private boolean failureThrown;
    private volatile long rowsWritten;
    private byte[] chunk = newChunk();
    private int fill;
    private boolean closed;

    private record Chunk(byte[] data, int length) {
        static final Chunk END = new Chunk(new byte[0], 0);
    }

    /**
     * How data files are written.
     *
     * @param gzip         compress: each sink writes one gzip member, and concatenated members (the
     *                     parts of a split table) are one valid gzip stream
     * @param writerThread hash and write a table bigger than a chunk on a thread of its own
     */
    record Options(boolean gzip, boolean writerThread) {
    }

    /**
     * @param out     where the (compressed) bytes go; closed with the sink
     * @param header  the CSV starts with a header line (left out of the row digest)
     * @param options compression, and whether a writer thread takes the chunks
     */
    DataFileSink(SinkOutput out, boolean header, Options options) {
        this.out = out;
        this.header = header;
        this.writerThread = options.writerThread();
        this.csv = new Tee(options.gzip() ? gzip(new KeepOpen(out)) : new KeepOpen(out), header);
    }

    /**
     * Whether a writer thread beside each copy's connection thread has a core of its own: 2 cores
     * per copy (the connection's thread, the writer), 3 when the server runs on this machine (its
     * process too).
     */
    static boolean writerThreadPays(boolean localServer, int jobs, int cores) {
        return cores >= jobs * (localServer ? 3 : 2);
    }

    private void startWorker() {
        worker = new Thread(this::drain, "pgsubset-write-" + Thread.currentThread().getName());
        worker.setDaemon(true);
        worker.start();
    }

    private static OutputStream gzip(OutputStream out) {
        try {
            return new GZIPOutputStream(out, BUFFER);
        } catch (IOException e) {
            // only writes the 10-byte member header into the file's buffer
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The writer thread: hash, write, recycle; after a failure keep draining so the producer never blocks. */
    private void drain() {
        try {
            while (true) {
                Chunk c = full.take();
                if (c == Chunk.END) {
                    return;
                }
                if (failure == null) {
                    writeChunk(c.data(), c.length());
                }
                free.offer(c.data());
            }
        } catch (InterruptedException e) {
            if (failure == null) {
                failure = new InterruptedIOException("interrupted while writing a data file");
            }
            Thread.currentThread().interrupt();
        }
    }

    private void writeChunk(byte[] data, int length) {
        try {
            csv.write(data, 0, length);
            rowsWritten = csv.rows();
        } catch (Throwable e) {
            // recorded, never lost: the producer throws it at its next chunk or at close
            failure = e;
        }
    }

    /** Hands a chunk to the writer; a writer that has ended (it failed) never leaves the producer blocked. */
    private void put(Chunk c) throws InterruptedException, IOException {
        if (worker == null) {
            startWorker();
        }
        while (!full.offer(c, 100, TimeUnit.MILLISECONDS)) {
            if (!worker.isAlive()) {
                checkFailure();
                throw new IOException("the data file's writer thread ended");
            }
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, CHUNK - fill);
            System.arraycopy(b, off, chunk, fill, n);
            fill += n;
            off += n;
            len -= n;
            if (fill == CHUNK) {
                handOver();
            }
        }
    }

    private void handOver() throws IOException {
        checkFailure();
        if (!writerThread) {
            writeChunk(chunk, fill);
            fill = 0;
            checkFailure();
            return;
        }
        try {
            put(new Chunk(chunk, fill));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing a data file");
        }
        byte[] next = free.poll();
        chunk = next == null ? newChunk() : next;
        fill = 0;
    }

    /** Throws the writer's failure once: try-with-resources must not see the same exception again in close. */
    private void checkFailure() throws IOException {
        Throwable f = failure;
        if (f != null && !failureThrown) {
            failureThrown = true;
            if (f instanceof IOException io) {
                throw io;
            }
            if (f instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("writing the data file failed: " + f, f);
        }
    }

    @Override
    public boolean header() {
        return header;
    }

    /** CSV records written so far (the header excluded); final once the sink finished. */
    @Override
    public long rows() {
        return rowsWritten;
    }

    /**
     * Hands over the last chunk, waits for the writer, then ends the gzip member and closes the
     * output (a data file is synced to disk).
     */
    @Override
    public Arrived finish() throws IOException {
        if (closed) {
            throw new IllegalStateException("the data file's sink is closed");
        }
        closed = true;
        boolean ok = false;
        try {
            awaitWriter(true);
            checkFailure();
            if (failure != null) {
                throw new IOException("writing the data file failed", failure);
            }
            csv.close();
            out.close();
            ok = true;
            return new Arrived(rowsWritten, csv.digest());
        } finally {
            if (!ok) {
                out.closeQuietly();
            }
        }
    }

    /** Unless finished: stops the writer and releases the file without flushing or syncing it. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            awaitWriter(false);
        } finally {
            out.closeQuietly();
        }
    }

    /**
     * Hands over the last chunk (when {@code all}) and the end, and waits for the writer thread to
     * end; without a writer thread, writes the one chunk here.
     */
    private void awaitWriter(boolean all) throws IOException {
        boolean interrupted = Thread.interrupted();
        if (worker == null) {
            if (all && fill > 0 && !interrupted) {
                writeChunk(chunk, fill);
            }
            POOL.offer(chunk);
            chunk = null;
        } else {
            interrupted = joinWorker(all && !interrupted) || interrupted;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing a data file");
        }
    }

    /** Hands over the last chunk (when {@code last}) and the end, and waits; true when interrupted meanwhile. */
    private boolean joinWorker(boolean last) throws IOException {
        try {
            if (last && fill > 0) {
                put(new Chunk(chunk, fill));
            }
            put(Chunk.END);
            worker.join();
            // the writer has ended: every chunk it took is in free (the last one handed over too)
            if (!free.contains(chunk)) {
                POOL.offer(chunk);
            }
            free.forEach(POOL::offer);
            free.clear();
            chunk = null;
            return false;
        } catch (InterruptedException e) {
            worker.interrupt();
            return true;
        }
    }

    private static byte[] newChunk() {
        byte[] pooled = POOL.poll();
        return pooled != null ? pooled : new byte[CHUNK];
    }

    /** Chunks waiting to be reused by the next sink. */
    static int pooledChunks() {
        return POOL.size();
    }

    /** Lets the gzip stream end (and free its deflater) without closing the file below it. */
    private static final class KeepOpen extends OutputStream {
        private final OutputStream out;

        KeepOpen(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
