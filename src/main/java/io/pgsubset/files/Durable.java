package io.pgsubset.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * Files and directories made durable (fsync) before a command says they are written, as pg_dump
 * does with its directory format. Without it a power loss soon after "dump written" could leave a
 * renamed dump directory whose manifest or schema files are empty: the rename can reach the
 * file system's journal before the blocks of the files written just before it.
 */
public final class Durable {
    /** At most this many syncs at once: they only wait for the disk. */
    private static final int THREADS = 8;

    private Durable() {
    }

    /** Syncs one file or one directory; tests record the calls instead. */
    public interface Syncer {
        void file(Path file) throws IOException;

        void directory(Path dir) throws IOException;
    }

    /** fsync(2) of the file, or of the directory (its entries: files created, renamed or removed in it). */
    public static final Syncer FSYNC = new Syncer() {
        @Override
        public void file(Path file) throws IOException {
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
                c.force(true);
            }
        }

        @Override
        public void directory(Path dir) throws IOException {
            if (System.getProperty("os.name", "").startsWith("Windows")) {
                return; // a directory cannot be opened there, and NTFS journals its entries itself
            }
            file(dir);
        }
    };

    /**
     * Syncs every regular file under {@code root}, except those in a directory {@code filesSynced}
     * accepts (its files were synced as they were written; the directory itself is synced), and
     * every directory, {@code root} included. They are synced several at once: ext4 and XFS commit
     * syncs that wait together in one journal commit, where one after another each pays its own (a
     * dump with thousands of large objects).
     */
    public static void syncTree(Path root, Predicate<Path> filesSynced, Syncer syncer) throws IOException {
        List<Runnable> syncs = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                syncs.add(() -> unchecked(dir, () -> syncer.directory(dir)));
                return filesSynced.test(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    syncs.add(() -> unchecked(file, () -> syncer.file(file)));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        runAll(syncs);
    }

    private interface Sync {
        void run() throws IOException;
    }

    private static void unchecked(Path path, Sync sync) {
        try {
            sync.run();
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(path + ": " + e.getMessage(), e));
        }
    }

    /** Runs every sync, a few at once; throws the first failure once all have ended. */
    private static void runAll(List<Runnable> syncs) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(THREADS, syncs.size())), r -> {
            Thread t = new Thread(r, "pgsubset-fsync");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> running = syncs.stream().<Future<?>>map(pool::submit).toList();
            IOException first = null;
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    IOException failure = e.getCause() instanceof UncheckedIOException u ? u.getCause()
                            : new IOException(e.getCause());
                    first = first == null ? failure : first;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while syncing files to disk");
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
