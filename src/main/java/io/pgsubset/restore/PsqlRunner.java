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
final class PsqlRunner {
    private final PgProgram psql;
    private final Map<String, String> baseEnv;

    PsqlRunner(PgProgram psql, Map<String, String> baseEnv) {
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

    /** Runs BEGIN; parts...; COMMIT; against {@code target}; {@code what} names it in errors. */
    void runInTransaction(ConnectionTarget target, String what, List<Part> parts) {
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
        IOException writeFailure = null;
        try (OutputStream in = p.getOutputStream()) {
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
        } catch (IOException e) {
            writeFailure = e; // psql stopped reading: its exit status and stderr say why
        }
        try {
            int code = p.waitFor();
            drain.join();
            String message = err.toString(StandardCharsets.UTF_8).strip();
            if (code != 0) {
                throw new PgsubsetException(what + " failed in psql (exit " + code + "): "
                        + (message.isEmpty() ? String.valueOf(writeFailure) : Messages.firstLine(message, "")));
            }
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new Interrupted("interrupted while running " + what);
        }
    }

    private static void copyQuietly(InputStream from, OutputStream to) {
        try (from) {
            from.transferTo(to);
        } catch (IOException e) {
            // the stream ends when psql exits; what it wrote so far is what we report
        }
    }
}
