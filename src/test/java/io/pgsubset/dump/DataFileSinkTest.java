package io.pgsubset.dump;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

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

    @Test
    void aWriterThatDiesFailsTheProducerInsteadOfBlockingIt() {
        Dying out = new Dying();
        byte[] rows = "1,a\n".repeat(1 << 18).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(IOException.class, () -> {
            try (DataFileSink sink = new DataFileSink(out, false, false)) {
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
        DataFileSink sink = new DataFileSink(out, true, false);
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(IOException.class, () -> {
            sink.write("id\n1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            sink.finish();
        }));
        assertSame(OutOfMemoryError.class, e.getCause().getClass(), e::toString);
        assertFalse(Thread.currentThread().isInterrupted());
        assertTrue(out.released.get(), "the file is released");
    }
}
