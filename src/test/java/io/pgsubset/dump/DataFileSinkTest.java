package io.pgsubset.dump;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A data file's writer thread that dies (here of an Error, as a full heap would) must fail the
 * copy feeding it with that Error, never leave it blocked on a queue nobody drains, and the file
 * must be released.
 */
class DataFileSinkTest {
    private static final DataFileSink.Options THREADED = new DataFileSink.Options(false, true);
    private static final DataFileSink.Options INLINE = new DataFileSink.Options(false, false);

    private static final class Dying extends SinkOutput {
        final AtomicBoolean released = new AtomicBoolean();

        @Override
        public void write(int b) {
            throw new OutOfMemoryError("injected");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            throw new OutOfMemoryError("injected");
        }

        @Override
        void closeQuietly() {
            released.set(true);
        }
    }

    /** With a writer thread and without one (the copy's own thread writes): the same failure. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aWriterThatDiesFailsTheProducerInsteadOfBlockingIt(boolean writerThread) {
        Dying out = new Dying();
        byte[] rows = "1,a\n".repeat(1 << 18).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(IOException.class, () -> {
            try (DataFileSink sink = new DataFileSink(out, false, new DataFileSink.Options(false, writerThread))) {
                // far more than the chunks in flight: a producer that waited for a dead writer would hang here
                for (int i = 0; i < 64; i++) {
                    sink.write(rows, 0, rows.length);
                }
                sink.finish();
            }
        }));
        assertTrue(e.getCause() instanceof OutOfMemoryError, () -> "the writer's Error is the cause: " + e);
        assertTrue(out.released.get(), "the file is released");
    }

    @Test
    void aFailedWriterIsReportedAtFinishToo() {
        Dying out = new Dying();
        DataFileSink sink = new DataFileSink(out, true, THREADED);
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(IOException.class, () -> {
            sink.write("id\n1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            sink.finish();
        }));
        assertSame(OutOfMemoryError.class, e.getCause().getClass(), e::toString);
        assertFalse(Thread.currentThread().isInterrupted());
        assertTrue(out.released.get(), "the file is released");
    }

    /** Keeps what reaches it. */
    private static final class Kept extends SinkOutput {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        @Override
        public void write(int b) {
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        @Override
        void closeQuietly() {
        }
    }

    /**
     * A sink's chunks go back to a pool when it ends and the next sink takes them, so a table
     * split into many block ranges (a sink each) does not leave megabytes per range behind in the
     * heap (the scale-4 memory row of scripts/bench.sh measures that); here, that the reuse happens
     * and every sink's bytes arrive exactly (a chunk pooled twice, in use by two at once, corrupts
     * split tables: SplitTableDumpTest fails then).
     */
    @Test
    void theNextSinkReusesTheChunksOfTheLastOneAndEveryByteArrives() throws IOException {
        for (int round = 0; round < 4; round++) {
            byte[] rows = (round + ",row " + round + "\n").repeat(1 << 17)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Kept out = new Kept();
            try (DataFileSink sink = new DataFileSink(out, false, THREADED)) {
                for (int i = 0; i < 8; i++) {
                    sink.write(rows, 0, rows.length);
                }
                sink.finish();
            }
            byte[] expected = new byte[8 * rows.length];
            for (int i = 0; i < 8; i++) {
                System.arraycopy(rows, 0, expected, i * rows.length, rows.length);
            }
            assertTrue(java.util.Arrays.equals(expected, out.bytes.toByteArray()), "round " + round + ": bytes differ");
        }
        int pooled = DataFileSink.pooledChunks();
        assertTrue(pooled >= 2, "the chunks of the last sink wait for the next: " + pooled);
        try (DataFileSink sink = new DataFileSink(new Kept(), false, THREADED)) {
            byte[] more = new byte[3 << 20];
            sink.write(more, 0, more.length);
            assertTrue(DataFileSink.pooledChunks() < pooled, "a new sink takes its chunks from the pool");
            sink.finish();
        }
    }

    /** Keeps what reaches it and the threads that wrote it. */
    private static final class Watched extends SinkOutput {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final java.util.Set<Thread> writers = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public void write(int b) {
            writers.add(Thread.currentThread());
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writers.add(Thread.currentThread());
            bytes.write(b, off, len);
        }

        @Override
        void closeQuietly() {
        }
    }

    /**
     * Most tables of a schema are small: one that fits in a chunk is written by the copy's own
     * thread when it finishes (a thread start per table cost more than such a table's copy); a
     * bigger one still gets its writer thread. Rows and bytes are the same either way.
     */
    @Test
    void aTableThatFitsOneChunkIsWrittenWithoutAWriterThread() throws IOException {
        byte[] small = "id\n1\n2\n3\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Watched one = new Watched();
        io.pgsubset.copy.Sink.Arrived arrived;
        try (DataFileSink sink = new DataFileSink(one, true, THREADED)) {
            sink.write(small, 0, small.length);
            arrived = sink.finish();
        }
        assertEquals(java.util.Set.of(Thread.currentThread()), one.writers);
        assertEquals(3, arrived.rows());
        assertTrue(java.util.Arrays.equals(small, one.bytes.toByteArray()));

        byte[] big = "1,a\n".repeat(1 << 17).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Watched many = new Watched();
        try (DataFileSink sink = new DataFileSink(many, false, THREADED)) {
            sink.write(big, 0, big.length);
            assertEquals(1 << 17, sink.finish().rows());
        }
        assertFalse(many.writers.contains(Thread.currentThread()), "a table of several chunks has its writer thread");
        assertTrue(java.util.Arrays.equals(big, many.bytes.toByteArray()));
    }

    /**
     * Without a writer thread (the server on this machine and too few cores for one) every chunk of
     * a big table is hashed and written by the copy's own thread, and the file, its rows and its
     * row digest are those a writer thread produces.
     */
    @Test
    void withoutAWriterThreadTheCopysThreadWritesEveryChunkAndTheResultIsTheSame() throws IOException {
        byte[] big = "1,\"a\nb\"\n22,c\n".repeat(1 << 16).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Watched inline = new Watched();
        io.pgsubset.copy.Sink.Arrived alone = writeFourTimes(big, inline, INLINE);
        assertEquals(java.util.Set.of(Thread.currentThread()), inline.writers);
        Watched threaded = new Watched();
        io.pgsubset.copy.Sink.Arrived beside = writeFourTimes(big, threaded, THREADED);
        assertEquals(4 * 2 * (1 << 16), alone.rows());
        assertEquals(beside, alone);
        assertTrue(java.util.Arrays.equals(threaded.bytes.toByteArray(), inline.bytes.toByteArray()));
    }

    private static io.pgsubset.copy.Sink.Arrived writeFourTimes(byte[] rows, Watched out, DataFileSink.Options options)
            throws IOException {
        try (DataFileSink sink = new DataFileSink(out, false, options)) {
            for (int i = 0; i < 4; i++) {
                sink.write(rows, 0, rows.length);
            }
            return sink.finish();
        }
    }

    @Test
    void aWriterThreadIsUsedOnlyWhereACoreIsFreeForIt() {
        assertFalse(DataFileSink.writerThreadPays(true, 1, 2), "local server, 2 cores, 1 job");
        assertTrue(DataFileSink.writerThreadPays(true, 1, 3), "local server, 3 cores, 1 job");
        assertFalse(DataFileSink.writerThreadPays(true, 2, 4), "local server, 4 cores, 2 jobs");
        assertTrue(DataFileSink.writerThreadPays(true, 2, 6), "local server, 6 cores, 2 jobs");
        assertTrue(DataFileSink.writerThreadPays(false, 1, 2), "remote server, 2 cores, 1 job");
        assertFalse(DataFileSink.writerThreadPays(false, 2, 2), "remote server, 2 cores, 2 jobs");
        assertFalse(DataFileSink.writerThreadPays(false, 1, 1), "remote server, 1 core");
    }
}
