package io.pgsubset.dump;

import io.pgsubset.tools.PgProgram;
import io.pgsubset.tools.PgPrograms;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * pg_dump and pg_restore, looked up in the background while the leader connects: each answers
 * {@code --version} as a process of its own, tens of milliseconds that preceded the first
 * statement when they ran before connecting. Their failures read as before: a missing or unusable
 * pg_dump is the one error even when connecting fails too.
 */
final class ClientTools {
    private final CompletableFuture<PgProgram> pgDump;
    private final CompletableFuture<PgProgram> pgRestore;

    private ClientTools(CompletableFuture<PgProgram> pgDump, CompletableFuture<PgProgram> pgRestore) {
        this.pgDump = pgDump;
        this.pgRestore = pgRestore;
    }

    /** Starts the look-ups: pg_dump, then pg_restore beside it. */
    static ClientTools lookUp(PgPrograms programs, Optional<Path> pgDumpPath, PhaseTimer timer) {
        CompletableFuture<PgProgram> pgDump = CompletableFuture.supplyAsync(
                () -> timer.time("find pg_dump", () -> programs.find("pg_dump", pgDumpPath)));
        CompletableFuture<PgProgram> pgRestore = pgDump.thenApplyAsync(
                found -> timer.time("find pg_restore", () -> programs.findBeside("pg_restore", found)));
        return new ClientTools(pgDump, pgRestore);
    }

    PgProgram pgDump() {
        return Background.await(pgDump, "the look-up of pg_dump");
    }

    PgProgram pgRestore() {
        return Background.await(pgRestore, "the look-up of pg_restore");
    }

    /** What to throw when connecting failed: pg_dump's own failure if it has one, else {@code connecting}. */
    RuntimeException orPgDumpFailure(RuntimeException connecting) {
        try {
            pgDump();
        } catch (RuntimeException e) {
            e.addSuppressed(connecting);
            return e;
        }
        return connecting;
    }
}
