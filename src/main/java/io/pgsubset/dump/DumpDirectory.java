package io.pgsubset.dump;

import io.pgsubset.format.DumpLayout;
import io.pgsubset.error.Interrupted;
import io.pgsubset.error.UsageException;
import io.pgsubset.files.Durable;
import io.pgsubset.files.OwnerOnly;
import io.pgsubset.files.Trees;
import io.pgsubset.manifest.ManifestIO;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dump is written under a hidden sibling {@code .DIR.pgsubset-partial-PID} and renamed to DIR
 * only when complete (manifest.json last), so DIR either does not exist or is a whole dump. A
 * failure, SIGINT or SIGTERM removes the partial directory (a shutdown hook covers the signals);
 * one left by a killed run (its owner process is gone) is removed by the next run. Everything in
 * it is created owner-only ({@link OwnerOnly}): the directory holds production rows. Before the
 * rename every file and directory in it is synced to disk, and the rename itself after it ({@link
 * #commit}), so that a power loss cannot leave DIR with empty files either.
 */
final class DumpDirectory implements AutoCloseable {
    private static final String PARTIAL = ".pgsubset-partial-";
    private static final String OLD = ".pgsubset-old-";
    private static final String OWNER_FILE = ".pgsubset-owner";

    private final Path target;
    private final Path temp;
    private final boolean replace;
    private final Thread hook;
    private final Durable.Syncer syncer;
    private final Object lock = new Object();
    private final List<Runnable> onAbort = new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean committed;
    private boolean aborted;

    private DumpDirectory(Path target, Path temp, boolean replace, Durable.Syncer syncer) {
        this.target = target;
        this.temp = temp;
        this.replace = replace;
        this.syncer = syncer;
        this.hook = new Thread(this::abortOnShutdown, "pgsubset-dump-cleanup");
    }

    /** Fails with a usage error when DIR may not be written: before anything connects or runs. */
    static Path check(Path output, boolean force) {
        Path target = output.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null) {
            throw new UsageException("cannot write a dump to " + target + "; choose a directory below it (-o)");
        }
        if (!Files.isDirectory(parent)) {
            throw new UsageException("cannot write " + target + ": " + parent + " does not exist; create it first");
        }
        if (Files.exists(target)) {
            if (!force) {
                throw new UsageException(target + " already exists; choose another -o, or add --force to replace it "
                        + "once the new dump is complete");
            }
            if (!Files.isDirectory(target)) {
                throw new UsageException(target + " exists and is not a directory; refusing to replace it");
            }
            if (!isDumpOrEmpty(target)) {
                throw new UsageException("refusing to replace " + target + " with --force: it is not a pgsubset dump "
                        + "(no " + ManifestIO.FILE_NAME + "); remove it yourself or choose another -o");
            }
        }
        return target;
    }

    private static boolean isDumpOrEmpty(Path dir) {
        if (Files.exists(dir.resolve(ManifestIO.FILE_NAME))) {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates the partial directory with its subdirectories; removes leftovers of killed runs first. */
    static DumpDirectory create(Path output, boolean force) {
        return create(output, force, Durable.FSYNC);
    }

    /** As above, with the syncs of {@link #commit} made by {@code syncer}. */
    static DumpDirectory create(Path output, boolean force, Durable.Syncer syncer) {
        Path target = check(output, force);
        removeStale(target);
        long pid = ProcessHandle.current().pid();
        Path temp = target.resolveSibling("." + target.getFileName() + PARTIAL + pid);
        try {
            if (Files.exists(temp)) {
                deleteTree(temp);
            }
            OwnerOnly.createDirectory(temp);
            OwnerOnly.writeString(temp.resolve(OWNER_FILE), pid + " " + startOf(ProcessHandle.current()).orElse(""));
            OwnerOnly.createDirectory(temp.resolve(DumpLayout.PRE_DATA).getParent());
            OwnerOnly.createDirectory(temp.resolve("data"));
        } catch (IOException e) {
            deleteTree(temp);
            throw DumpErrors.io("could not create " + temp, e);
        }
        DumpDirectory dir = new DumpDirectory(target, temp, Files.exists(target), syncer);
        Runtime.getRuntime().addShutdownHook(dir.hook);
        return dir;
    }

    /** Runs before the partial directory is removed on a signal: stops child processes writing into it. */
    void onAbort(Runnable action) {
        onAbort.add(action);
    }

    /** Where the dump is being written. */
    Path path() {
        return temp;
    }

    Path target() {
        return target;
    }

    /**
     * Moves the complete dump into place (replacing an old one only now, with --force), once all
     * of it is on disk; then syncs the parent directory, which makes the rename durable. The data
     * files are not synced again: each was synced when its copy ended, and the dump waited for
     * them before it wrote its manifest ({@link DataSyncs}).
     */
    void commit() {
        synchronized (lock) {
            if (aborted) {
                throw new Interrupted("dump interrupted; " + target + " was not written");
            }
            try {
                Files.delete(temp.resolve(OWNER_FILE));
                Path data = temp.resolve(DumpLayout.DATA_DIR);
                Durable.syncTree(temp, data::equals, syncer);
            } catch (IOException e) {
                throw DumpErrors.io("could not sync the dump in " + temp + " to disk", e);
            }
            Path old = null;
            try {
                if (replace && Files.exists(target)) {
                    old = target.resolveSibling("." + target.getFileName() + OLD + ProcessHandle.current().pid());
                    Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                committed = true;
            } catch (IOException e) {
                throw DumpErrors.io("could not move the finished dump to " + target, e);
            }
            try {
                syncer.directory(target.toAbsolutePath().getParent());
            } catch (IOException e) {
                throw DumpErrors.io("could not sync " + target.toAbsolutePath().getParent() + " to disk after the rename"
                        + " of the finished dump", e);
            }
            if (old != null) {
                deleteTree(old);
            }
        }
    }

    /** Removes the partial directory unless the dump was committed. */
    @Override
    public void close() {
        synchronized (lock) {
            if (!committed) {
                aborted = true;
                deleteTree(temp);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs (or ran) and finds nothing left to do
            return;
        }
    }

    /**
     * SIGINT/SIGTERM: stop pg_dump (its files live in the partial directory) and remove the partial
     * directory. Workers may still be writing; retries catch a file created during the first pass.
     */
    private void abortOnShutdown() {
        synchronized (lock) {
            if (committed) {
                return;
            }
            aborted = true;
            onAbort.forEach(Runnable::run);
            for (int attempt = 0; attempt < 5 && Files.exists(temp); attempt++) {
                deleteTree(temp);
                if (Files.exists(temp)) {
                    sleep();
                }
            }
            System.err.println("pgsubset: dump interrupted; removed the partial " + temp);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final Pattern LEFTOVER = Pattern.compile("(?:" + Pattern.quote(PARTIAL) + "|" + Pattern.quote(OLD)
            + ")(\\d+)$");

    /** Removes partial or old directories of DIR whose owning process is gone (a SIGKILLed run). */
    static void removeStale(Path target) {
        // compared as plain text: the directory name may hold glob characters such as [ or *
        String prefix = "." + target.getFileName();
        try (Stream<Path> siblings = Files.list(target.getParent())) {
            for (Path p : siblings.toList()) {
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix + ".pgsubset-")) {
                    continue;
                }
                Matcher m = LEFTOVER.matcher(name.substring(prefix.length()));
                if (m.matches() && Files.isDirectory(p) && !ownerAlive(p, Long.parseLong(m.group(1)))) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            // an unreadable parent directory fails clearly when the dump creates its own directory
            return;
        }
    }

    /** Whether the process that created {@code dir} still runs (same pid and same start time). */
    private static boolean ownerAlive(Path dir, long pid) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return false;
        }
        try {
            List<String> owner = List.of(Files.readString(dir.resolve(OWNER_FILE)).trim().split(" "));
            Optional<String> start = startOf(process.get());
            return owner.size() < 2 || start.isEmpty() || owner.get(1).equals(start.get());
        } catch (IOException e) {
            return true;
        }
    }

    private static Optional<String> startOf(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toString);
    }

    /** What cannot be removed is left for the retry or the next run's stale-directory cleanup. */
    static void deleteTree(Path dir) {
        Trees.delete(dir);
    }
}
