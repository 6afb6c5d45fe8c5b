package io.pgsubset.dump;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The final syncs of one dump's data files, done on a background thread while the copies go on:
 * a copy lane hands its closed file over and starts the next table instead of waiting for the
 * disk (a dozen small tables took 4-6 ms each on a lane, their fsync included). {@link #await}
 * is the dump's last look at them, before the manifest that lists them is written: a file whose
 * sync failed fails the dump there, as it failed it at its close before.
 */
final class DataSyncs {
    /** Files handed over and not yet synced, each an open descriptor: a copy waits beyond this many. */
    static final int MAX_PENDING = 64;
    /** One thread for every file's syncs: they only wait for the disk. */
    private static final ExecutorService SYNCER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pgsubset-sync");
        t.setDaemon(true);
        return t;
    });

    private final Semaphore pending = new Semaphore(MAX_PENDING);
    private final List<Future<?>> syncs = new ArrayList<>();

    /** Runs {@code work} on the sync thread, in the order given (a file's periodic syncs before its last). */
    static Future<?> inBackground(Runnable work) {
        return SYNCER.submit(work);
    }

    /**
     * Syncs {@code file} (written to {@code path}) to disk and closes it, in the background; the
     * sync fails when {@code earlier} (a periodic sync's failure, looked at after this one) is set.
     */
    void syncAndClose(Path path, FileChannel file, Supplier<IOException> earlier) throws IOException {
        try {
            pending.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            file.close();
            throw new InterruptedIOException("interrupted while handing " + path + " over to be synced");
        }
        Future<?> sync = SYNCER.submit(() -> {
            try (file) {
                file.force(true);
                if (earlier.get() != null) {
                    throw earlier.get();
                }
                return null;
            } catch (IOException e) {
                throw new IOException("could not sync " + path + ": " + e.getMessage(), e);
            } finally {
                pending.release();
            }
        });
        synchronized (syncs) {
            syncs.add(sync);
        }
    }

    /** Waits until every file handed over is on disk; throws the first failure. */
    void await() throws IOException {
        List<Future<?>> all;
        synchronized (syncs) {
            all = List.copyOf(syncs);
        }
        for (Future<?> sync : all) {
            try {
                sync.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the data files to be synced");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }
    }
}
