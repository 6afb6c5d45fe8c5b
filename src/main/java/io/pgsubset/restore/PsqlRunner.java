package io.pgsubset.restore;

import io.pgsubset.error.Messages;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.error.Interrupted;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.tools.PgProgram;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs SQL files through psql as one transaction: no psqlrc, stop at the first error. Schema files
 * from pg_dump need psql (they hold psql meta-commands such as {@code \restrict}); the target
 * travels in the environment, the password in PGPASSWORD only.
 */
public final class PsqlRunner {
    private final PgProgram psql;
    private final Map<String, String> baseEnv;

    public PsqlRunner(PgProgram psql, Map<String, String> baseEnv) {
        this.psql = psql;
        this.baseEnv = Map.copyOf(baseEnv);
    }

    /** A piece of psql input: literal SQL text or the content of a file. */
    sealed interface Part permits Text, FilePart {
    }

    record Text(String sql) implements Part {
    }

    record FilePart(Path file) implements Part {
    }

    /** Writes psql's input; psql stops reading at its first error. */
    public interface Input {
        void write(OutputStream in) throws IOException;
    }

    /** Runs BEGIN; parts...; COMMIT; against {@code target}; {@code what} names it in errors. */
    void runInTransaction(ConnectionTarget target, String what, List<Part> parts) {
        feed(target, what, in -> {
            in.write("BEGIN;\n".getBytes(StandardCharsets.UTF_8));
            for (Part part : parts) {
                if (part instanceof Text t) {
                    in.write((t.sql() + "\n").getBytes(StandardCharsets.UTF_8));
                } else if (part instanceof FilePart f) {
                    Files.copy(f.file(), in);
                    in.write('\n');
                }
            }
            in.write("COMMIT;\n".getBytes(StandardCharsets.UTF_8));
        });
    }

    /**
     * Runs psql against {@code target} on what {@code input} writes, then waits for it. When psql
     * fails, its first error line is the error; when the input fails while psql is fine, the input's.
     * Either way psql saw no COMMIT that was not the script's own.
     */
    public void feed(ConnectionTarget target, String what, Input input) {
        // -w: psql gets the credentials pgsubset connected with; a password prompt would read the script
        ProcessBuilder pb = new ProcessBuilder(psql.path().toString(), "-X", "-q", "-w", "-v", "ON_ERROR_STOP=1");
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        baseEnv.forEach((k, v) -> {
            if (!k.startsWith("PG")) {
                pb.environment().put(k, v);
            }
        });
        pb.environment().putAll(target.childEnvironment());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new PgsubsetException("could not run " + psql.path() + ": " + Messages.firstLine(e), e);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> copyQuietly(p.getErrorStream(), err), "psql-stderr");
        drain.start();
        Exception writeFailure = null;
        try (OutputStream in = p.getOutputStream()) {
            input.write(in);
        } catch (IOException | RuntimeException e) {
            writeFailure = e; // psql may have stopped reading: its exit status and stderr say why
        }
        try {
            int code = p.waitFor();
            drain.join();
            String message = err.toString(StandardCharsets.UTF_8).strip();
            if (writeFailure instanceof RuntimeException re && !brokenPipe(re)) {
                throw re; // the input's own failure; psql's is its consequence
            }
            if (code != 0) {
                PgsubsetException failed = new PgsubsetException(what + " failed in psql (exit " + code + "): "
                        + (message.isEmpty() ? String.valueOf(writeFailure) : Messages.firstLine(message, "")));
                if (writeFailure != null) {
                    failed.addSuppressed(writeFailure);
                }
                throw failed;
            }
            if (writeFailure != null) {
                throw new PgsubsetException(what + ": could not write to psql: " + Messages.firstLine(writeFailure),
                        writeFailure);
            }
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new Interrupted("interrupted while running " + what);
        }
    }

    /** Whether a write failed because psql stopped reading (its own error then says why). */
    private static boolean brokenPipe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static void copyQuietly(InputStream from, OutputStream to) {
        try (from) {
            from.transferTo(to);
        } catch (IOException e) {
            // the stream ends when psql exits; what it wrote so far is what we report
        }
    }
}
