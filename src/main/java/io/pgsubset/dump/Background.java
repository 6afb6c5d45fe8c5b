package io.pgsubset.dump;

import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** The result of work that ran alongside, on the thread that needs it. */
final class Background {
    private Background() {
    }

    /** Waits for {@code work}; its own failure is thrown as it was, an interrupt as a failure of {@code what}. */
    static <T> T await(Future<T> work, String what) {
        try {
            return work.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgsubsetException("interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new PgsubsetException(what + " failed: " + Messages.firstLine(e.getCause()), e.getCause());
        }
    }
}
