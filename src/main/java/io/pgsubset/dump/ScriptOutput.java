package io.pgsubset.dump;

import io.pgsubset.files.OutputFile;
import io.pgsubset.files.OwnerOnly;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where {@code dump --format sql} writes: standard output, or a file written owner-only under a
 * hidden partial name beside it and renamed when complete (as the dump directory is), removed on
 * failure or SIGINT/SIGTERM, so FILE is either absent or a whole script.
 */
public abstract class ScriptOutput implements AutoCloseable {
    private static final int BUFFER = 1 << 16;

    /** The stream the script is written to (buffered). */
    abstract OutputStream stream();

    /** Where the script went, for the summary. */
    public abstract String describe();

    /** The script is complete: flush it and move it into place. */
    abstract void commit() throws IOException;

    @Override
    public abstract void close();

    /** Standard output: the caller's stream, flushed but never closed. */
    public static ScriptOutput stdout(OutputStream out) {
        OutputStream buffered = new BufferedOutputStream(out, BUFFER);
        return new ScriptOutput() {
            @Override
            OutputStream stream() {
                return buffered;
            }

            @Override
            public String describe() {
                return "standard output";
            }

            @Override
            void commit() throws IOException {
                buffered.flush();
            }

            @Override
            public void close() {
                try {
                    buffered.flush();
                } catch (IOException e) {
                    // the reader went away; the script it got has no COMMIT and loads nothing
                    return;
                }
            }
        };
    }

    /** Refuses FILE before anything connects: an existing one unless {@code force}, a missing parent. */
    public static Path check(Path file, boolean force) {
        return OutputFile.check(file, force, "script");
    }

    /** A file written under {@code .NAME.pgsubset-partial-PID} and renamed to {@code file} at the end. */
    public static ScriptOutput file(Path file, boolean force) {
        Path target = check(file, force);
        Path temp = target.resolveSibling("." + target.getFileName() + ".pgsubset-partial-"
                + ProcessHandle.current().pid());
        OutputStream out;
        try {
            Files.deleteIfExists(temp);
            out = new BufferedOutputStream(OwnerOnly.newOutputStream(temp), BUFFER);
        } catch (IOException e) {
            throw DumpErrors.io("could not create " + temp, e);
        }
        return new PartialFile(target, temp, out);
    }

    private static final class PartialFile extends ScriptOutput {
        private final Path target;
        private final Path temp;
        private final OutputStream out;
        private final Thread hook;
        private boolean committed;

        PartialFile(Path target, Path temp, OutputStream out) {
            this.target = target;
            this.temp = temp;
            this.out = out;
            this.hook = new Thread(this::removeOnSignal, "pgsubset-script-cleanup");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        OutputStream stream() {
            return out;
        }

        @Override
        public String describe() {
            return target.toString();
        }

        @Override
        synchronized void commit() throws IOException {
            out.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
        }

        @Override
        public synchronized void close() {
            if (!committed) {
                try {
                    out.close();
                } catch (IOException e) {
                    // the partial file is removed below all the same
                }
                removeTemp();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs and finds the file committed or removed
                return;
            }
        }

        private synchronized void removeOnSignal() {
            if (!committed) {
                removeTemp();
                System.err.println("pgsubset: dump interrupted; removed the partial " + temp);
            }
        }

        private void removeTemp() {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                System.err.println("pgsubset: warning: could not remove " + temp + ": " + e.getMessage());
            }
        }
    }
}
