package io.pgsubset.dump;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data files' final syncs, in the background while the copies go on (see {@link DataSyncs}). */
class DataSyncsTest {
    @Test
    void aCopyHandsItsFileOverAtOnceAndTheDumpWaitsForAllOfThemBeforeItsManifest(@TempDir Path dir)
            throws Exception {
        CountDownLatch disk = new CountDownLatch(1);
        // the sync thread is busy (a slow disk): handing files over must not wait for it
        DataSyncs.inBackground(() -> await(disk));
        DataSyncs syncs = new DataSyncs();
        List<FileChannel> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FileChannel file = open(dir.resolve("t" + i + ".csv"));
            files.add(file);
            syncs.syncAndClose(dir.resolve("t" + i + ".csv"), file, () -> null);
        }
        assertTrue(files.stream().allMatch(FileChannel::isOpen), "synced and closed only by the sync thread");
        Thread waiter = new Thread(() -> {
            try {
                syncs.await();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        waiter.start();
        waiter.join(200);
        assertTrue(waiter.isAlive(), "await waits for the syncs");
        disk.countDown();
        waiter.join(30_000);
        assertFalse(waiter.isAlive());
        assertTrue(files.stream().noneMatch(FileChannel::isOpen), "every file closed once synced");
    }

    @Test
    void atMostSoManyFilesWaitOpenForTheirSync(@TempDir Path dir) throws Exception {
        CountDownLatch disk = new CountDownLatch(1);
        DataSyncs.inBackground(() -> await(disk));
        DataSyncs syncs = new DataSyncs();
        AtomicInteger handed = new AtomicInteger();
        Thread copy = new Thread(() -> {
            try {
                for (int i = 0; i <= DataSyncs.MAX_PENDING; i++) {
                    Path path = dir.resolve("t" + i + ".csv");
                    syncs.syncAndClose(path, open(path), () -> null);
                    handed.incrementAndGet();
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        copy.start();
        copy.join(500);
        assertEquals(DataSyncs.MAX_PENDING, handed.get(), "the copy waits for the disk beyond that");
        disk.countDown();
        copy.join(30_000);
        assertEquals(DataSyncs.MAX_PENDING + 1, handed.get());
        syncs.await();
    }

    @Test
    void aSyncThatFailsOrAPeriodicSyncThatFailedFailsTheWait(@TempDir Path dir) throws Exception {
        DataSyncs closedFirst = new DataSyncs();
        FileChannel gone = open(dir.resolve("gone.csv"));
        gone.close();
        closedFirst.syncAndClose(dir.resolve("gone.csv"), gone, () -> null);
        IOException e = assertThrows(IOException.class, closedFirst::await);
        assertTrue(e.getMessage().startsWith("could not sync " + dir.resolve("gone.csv")), e.getMessage());

        DataSyncs periodic = new DataSyncs();
        periodic.syncAndClose(dir.resolve("p.csv"), open(dir.resolve("p.csv")), () -> new IOException("EIO"));
        IOException p = assertThrows(IOException.class, periodic::await);
        assertTrue(p.getMessage().endsWith("EIO"), p.getMessage());
    }

    private static FileChannel open(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
