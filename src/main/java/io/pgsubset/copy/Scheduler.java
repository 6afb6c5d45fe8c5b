package io.pgsubset.copy;

import io.pgsubset.error.Interrupted;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs pieces of copy work, heaviest first, on {@code jobs} worker lanes that take the next piece
 * as they free up, so the longest copy starts at once and the small ones fill the gaps. A piece a
 * worker must not run ({@link LeaderOnly}) goes to the leader's lane, which the calling thread
 * serves meanwhile. With one job the leader's lane runs everything on the calling thread.
 *
 * <p>The first failure (an exception or an {@link Error} of any thread, or {@link #abort}) is
 * the run's: every lane's running queries are cancelled at once, on both sides, no further piece
 * starts, every thread is joined, then each worker lane is closed, a failing close only added to
 * the first failure as suppressed. After success every worker lane is {@link Lane#finish finished}
 * (e.g. committed) before it is closed. The leader's lane belongs to the caller and is not closed.
 *
 * <p>A worker's lane whose connection is lost (terminated by an administrator, dropped by the
 * network) is not yet a failure: the lane {@linkplain Lane#reconnect reconnects} and the piece runs
 * again from its start, a few times with growing pauses; a piece must therefore discard what an
 * earlier try of it wrote.
 */
public final class Scheduler<L extends Lane> {
    /** Reconnections of one piece before its failure is the run's. */
    static final int RETRIES = 3;
    private static final long RETRY_PAUSE_MILLIS = 500;

    private final Optional<L> leader;
    private final int jobs;
    private final Supplier<L> open;
    private final String name;
    private final List<L> workers = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final BlockingQueue<Task<L>> forLeader = new LinkedBlockingQueue<>();
    private final PriorityBlockingQueue<Queued<L>> waiting = new PriorityBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    /** No more tasks will be added: a worker that finds none left ends. */
    private volatile boolean closed;
    private volatile CountDownLatch drained = new CountDownLatch(0);
    /**
     * With one worker, the leader's lane has run a task of {@link #add}: from then on it takes the
     * worker's waiting tasks too (the calling thread's own; see {@link #add}).
     */
    private boolean leaderCopies;
    private volatile Consumer<String> onRetry = notice -> { };
    /**
     * A waiting thread looks again after this long, though it is woken when there is something to
     * do (a task, the end of the tasks, the last worker's end; a failure interrupts the workers):
     * a missed wake-up costs this, never a hang.
     */
    private long recheckMillis = 1000;

    /**
     * @param leader the lane the calling thread serves (pieces a worker refuses; all of them with one job)
     * @param jobs   worker lanes to open (at most one per piece); 1 with a leader: the leader does all
     * @param open   opens one worker lane
     * @param name   names the threads, e.g. "dump"
     */
    public Scheduler(Optional<L> leader, int jobs, Supplier<L> open, String name) {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
        }
        this.leader = leader;
        this.jobs = jobs;
        this.open = open;
        this.name = name;
    }

    /** Runs every task once; returns when all succeeded, throws the first failure otherwise. */
    public void run(List<? extends Task<L>> tasks) {
        List<Task<L>> ordered = new ArrayList<>(tasks);
        ordered.sort(Comparator.comparingDouble((Task<L> t) -> t.weight()).reversed());
        if (leader.isPresent() && (jobs == 1 || ordered.size() <= 1)) {
            sequential(leader.get(), ordered);
            return;
        }
        startWorkers(ordered, Math.max(1, Math.min(jobs, ordered.size())));
        finish();
    }

    /**
     * Starts {@code jobs} worker lanes on {@code tasks} and returns at once, so that the calling
     * thread can go on with other work on the leader's lane (a dump's closure while its full tables
     * copy); {@link #add} gives the workers more tasks, {@link #finish} waits for them all. Pieces
     * a worker hands to the leader wait until {@link #finish}.
     */
    public void start(List<? extends Task<L>> tasks) {
        startWorkers(tasks, jobs);
    }

    /**
     * More tasks for the lanes of {@link #start}; the heaviest of those waiting go first. In
     * {@link #finish} the leader's lane takes them too, with the workers: the calling thread has
     * done the work that had to come first (a dump's closure, whose tables these are), and a
     * worker may still be busy with what {@code start} gave it. With one worker, once the leader
     * has taken one, it also takes what {@code start} gave that no worker has begun (a subset
     * dump's small full tables, queued behind a big one): still two copies at most at once. Without
     * tasks of {@code add} (a full plan), or with more workers (who drain that queue together, and
     * reconnect where a lost leader would end the run), the leader takes none of them.
     */
    public void add(List<? extends Task<L>> tasks) {
        queue(tasks, true);
    }

    /**
     * After {@link #start}: no more tasks; the calling thread serves the leader's lane until every
     * worker is done, then every lane is finished and closed; throws the first failure.
     */
    public void finish() {
        closed = true;
        // an idle worker wakes at once, not when its wait for a task times out
        for (int i = 0; i < threads.size(); i++) {
            waiting.add(Queued.end(queued.getAndIncrement()));
        }
        try {
            serveLeader();
        } catch (Throwable t) {
            fail(t);
        } finally {
            joinAll();
            if (failure.get() == null) {
                finishAll();
            }
            closeAll();
        }
        rethrow();
    }

    /**
     * Each worker thread opens its own lane (connections open at once, not one after another); they
     * start draining together, so that a lane that connects first does not take every piece.
     */
    private void startWorkers(List<? extends Task<L>> tasks, int lanes) {
        queue(tasks, false);
        drained = new CountDownLatch(lanes);
        CountDownLatch opened = new CountDownLatch(lanes);
        for (int i = 0; i < lanes; i++) {
            Thread t = new Thread(() -> {
                try {
                    L lane;
                    try {
                        lane = open.get();
                        workers.add(lane);
                    } finally {
                        opened.countDown();
                    }
                    opened.await();
                    if (failure.get() == null) {
                        drain(lane);
                    }
                } catch (Throwable e) {
                    fail(e);
                } finally {
                    drained.countDown();
                    if (drained.getCount() == 0) {
                        forLeader.add(wake);
                    }
                }
            }, "pgsubset-" + name + "-" + (i + 1));
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Queued in weight order, heaviest first; equal weights (the block ranges of one table) in the order given. */
    private void queue(List<? extends Task<L>> tasks, boolean leaderToo) {
        List<Task<L>> ordered = new ArrayList<>(tasks);
        ordered.sort(Comparator.comparingDouble((Task<L> t) -> t.weight()).reversed());
        for (Task<L> t : ordered) {
            waiting.add(new Queued<>(t, queued.getAndIncrement(), leaderToo && leader.isPresent()));
        }
    }

    /**
     * A task, or (no task) the end of the tasks: those come after every task. {@code leaderToo}:
     * the leader's lane may take it as well as a worker.
     */
    private record Queued<L extends Lane>(Task<L> task, long order, boolean leaderToo)
            implements Comparable<Queued<L>> {
        static <L extends Lane> Queued<L> end(long order) {
            return new Queued<>(null, order, false);
        }

        boolean isEnd() {
            return task == null;
        }

        /** This very entry (claimForLeader removes it so): no record equality and its bootstrap method. */
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }

        @Override
        public int compareTo(Queued<L> o) {
            if (isEnd() != o.isEnd()) {
                return isEnd() ? 1 : -1;
            }
            int byWeight = isEnd() ? 0 : Double.compare(o.task.weight(), task.weight());
            return byWeight != 0 ? byWeight : Long.compare(order, o.order);
        }
    }

    /** Put on the leader's queue when the last worker is done, so that the leader stops waiting at once. */
    private final Task<L> wake = new Task<>() {
        @Override
        public double weight() {
            return 0;
        }

        @Override
        public void run(L lane) {
            // nothing: it only ends the leader's wait
        }
    };

    /**
     * Fails the run from outside (another part of the same job failed): cancels every lane now;
     * {@link #run} throws {@code cause}.
     */
    public void abort(Throwable cause) {
        fail(cause);
    }

    /** The first failure so far, if any: a piece that is already running may stop early. */
    public boolean failed() {
        return failure.get() != null;
    }

    private void sequential(L lane, List<Task<L>> tasks) {
        for (Task<L> t : tasks) {
            if (failure.get() != null) {
                break;
            }
            try {
                t.run(lane);
            } catch (Throwable e) {
                fail(e);
            }
        }
        rethrow();
    }

    /** Takes the next task until none is left and none can come ({@link #finish} was called). */
    private void drain(L lane) throws InterruptedException {
        while (failure.get() == null) {
            Queued<L> next = waiting.poll(recheckMillis, TimeUnit.MILLISECONDS);
            if (next == null || next.isEnd()) {
                if (closed && (next != null || waiting.isEmpty())) {
                    return;
                }
                continue;
            }
            Task<L> t = next.task();
            try {
                if (!runReconnecting(lane, t)) {
                    return;
                }
            } catch (LeaderOnly e) {
                if (leader.isEmpty()) {
                    fail(new PgsubsetException(e.getMessage()));
                    return;
                }
                forLeader.add(t);
            }
        }
    }

    /**
     * Runs {@code t} on a worker's lane; when the lane's connection is lost (terminated, dropped)
     * and the lane can open a new one, runs it again from its start, at most {@value #RETRIES}
     * times with a growing pause. Returns false when the run failed (the failure is recorded).
     */
    private boolean runReconnecting(L lane, Task<L> t) {
        int tries = 0;
        while (true) {
            Throwable lost;
            try {
                t.run(lane);
                return true;
            } catch (LeaderOnly e) {
                throw e;
            } catch (Throwable e) {
                lost = e;
            }
            while (true) {
                if (failure.get() != null || tries == RETRIES || !connectionLost(lost)) {
                    fail(lost);
                    return false;
                }
                tries++;
                onRetry.accept("a " + name + " connection was lost (" + Messages.firstLine(lost) + "); reconnecting"
                        + " and starting its piece again, try " + tries + " of " + RETRIES);
                try {
                    Thread.sleep(RETRY_PAUSE_MILLIS << (tries - 1));
                    if (!lane.reconnect()) {
                        fail(lost);
                        return false;
                    }
                    break;
                } catch (InterruptedException e) {
                    fail(e);
                    return false;
                } catch (Throwable again) {
                    again.addSuppressed(lost);
                    lost = again;
                }
            }
        }
    }

    /**
     * Whether {@code failure} is a connection that went away (SQLSTATE class 08, or the server
     * ending the session: pg_terminate_backend, a shutdown), rather than an error of the piece.
     */
    static boolean connectionLost(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
                return true;
            }
        }
        return false;
    }

    /** For tests: how long a waiting thread waits before it looks again unwoken. */
    Scheduler<L> recheckMillis(long millis) {
        this.recheckMillis = millis;
        return this;
    }

    /** Told when a lane lost its connection and is reconnecting (for the user: it may mean trouble). */
    public Scheduler<L> onRetry(Consumer<String> notice) {
        this.onRetry = notice;
        return this;
    }

    /**
     * The calling thread runs what the workers hand over, and the tasks of {@link #add} no worker
     * has taken yet, until the workers are all done.
     */
    private void serveLeader() throws InterruptedException {
        while (failure.get() == null) {
            Task<L> t = forLeader.poll();
            if (t == null) {
                t = claimForLeader();
                leaderCopies |= t != null && jobs == 1;
            }
            if (t == null) {
                t = forLeader.poll(recheckMillis, TimeUnit.MILLISECONDS);
            }
            if (t != null && t != wake) {
                t.run(leader.orElseThrow());
            } else if (drained.getCount() == 0 && forLeader.isEmpty()) {
                return;
            }
        }
    }

    /** The heaviest waiting task the leader may take, removed from the queue (so no worker runs it too); or null. */
    private Task<L> claimForLeader() {
        while (true) {
            Queued<L> best = null;
            for (Queued<L> q : waiting) {
                if ((q.leaderToo() || leaderCopies && !q.isEnd()) && (best == null || q.compareTo(best) < 0)) {
                    best = q;
                }
            }
            if (best == null) {
                return null;
            }
            if (waiting.remove(best)) {
                return best.task();
            }
        }
    }

    private void fail(Throwable e) {
        Throwable first = e instanceof InterruptedException
                ? new Interrupted("interrupted while copying data") : e;
        if (!failure.compareAndSet(null, first)) {
            return;
        }
        leader.ifPresent(Lane::cancel);
        for (L w : workers) {
            w.cancel();
        }
        for (Thread t : threads) {
            if (t != Thread.currentThread()) {
                t.interrupt();
            }
        }
    }

    /** Every worker thread ends once its lane is cancelled; an interrupt of the caller is kept for later. */
    private void joinAll() {
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                    fail(e);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void finishAll() {
        for (L w : workers) {
            try {
                w.finish();
            } catch (Throwable e) {
                fail(e);
                return;
            }
        }
    }

    private void closeAll() {
        for (L w : workers) {
            try {
                w.close();
            } catch (Throwable e) {
                Throwable first = failure.get();
                if (first != null && first != e) {
                    first.addSuppressed(e);
                }
            }
        }
    }

    private void rethrow() {
        Throwable f = failure.get();
        if (f == null) {
            return;
        }
        if (f instanceof RuntimeException re) {
            throw re;
        }
        throw new PgsubsetException("a " + name + " thread failed: " + f.getClass().getName()
                + (f.getMessage() == null ? "" : ": " + Messages.firstLine(f)), f);
    }
}
