package io.pgsubset.copy;

import io.pgsubset.error.PgsubsetException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduler's failure discipline, which every pairing (dump, restore, clone) relies on: the
 * first failure of any kind cancels every lane, every thread is joined before any lane is closed,
 * and every lane is closed even when a close throws.
 */
class SchedulerTest {
    /** A lane that records what happened to it; its running piece blocks until it is cancelled. */
    private static final class Recording implements Lane {
        final int id;
        final List<String> events;
        final CountDownLatch cancelled = new CountDownLatch(1);
        final boolean closeFails;

        Recording(int id, List<String> events, boolean closeFails) {
            this.id = id;
            this.events = events;
            this.closeFails = closeFails;
        }

        @Override
        public void cancel() {
            events.add("cancel " + id);
            cancelled.countDown();
        }

        @Override
        public void finish() {
            events.add("finish " + id);
        }

        @Override
        public void close() {
            events.add("close " + id);
            if (closeFails) {
                throw new IllegalStateException("close " + id + " failed");
            }
        }
    }

    private static Task<Recording> task(double weight, java.util.function.Consumer<Recording> body) {
        return new Task<>() {
            @Override
            public double weight() {
                return weight;
            }

            @Override
            public void run(Recording lane) {
                body.accept(lane);
            }
        };
    }

    /** Blocks like a COPY until the lane is cancelled, then fails as a cancelled COPY does. */
    private static void copyUntilCancelled(Recording lane) {
        try {
            if (!lane.cancelled.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never cancelled");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lane.events.add("ended " + lane.id);
        throw new PgsubsetException("canceling statement due to user request");
    }

    @Test
    void anErrorInAWorkerCancelsEveryLaneJoinsThenClosesEachQuietly() {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicInteger ids = new AtomicInteger();
        AssertionError injected = new AssertionError("injected");
        CountDownLatch bothRunning = new CountDownLatch(2);
        Scheduler<Recording> s = new Scheduler<>(Optional.empty(), 2,
                () -> new Recording(ids.incrementAndGet(), events, true), "test");
        List<Task<Recording>> tasks = List.of(
                task(2, lane -> {
                    bothRunning.countDown();
                    copyUntilCancelled(lane);
                }),
                task(1, lane -> {
                    bothRunning.countDown();
                    try {
                        bothRunning.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw injected;
                }));
        PgsubsetException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(PgsubsetException.class, () -> s.run(tasks)));
        assertSame(injected, e.getCause(), "the Error is the failure reported");
        assertTrue(e.getMessage().contains("AssertionError") && e.getMessage().contains("injected"), e::getMessage);
        assertEquals(2, e.getCause().getSuppressed().length, "each failed close is kept, none hides the Error");
        assertTrue(events.contains("cancel 1") && events.contains("cancel 2"), events::toString);
        assertTrue(events.contains("close 1") && events.contains("close 2"), "a failing close skips no other: " + events);
        assertTrue(events.indexOf("ended 1") + events.indexOf("ended 2") > -2, events::toString);
        int ended = Math.max(events.indexOf("ended 1"), events.indexOf("ended 2"));
        assertTrue(ended < events.indexOf("close 1") && ended < events.indexOf("close 2"),
                "every thread is joined before a lane closes: " + events);
        assertTrue(events.stream().noneMatch(x -> x.startsWith("finish")), "a failed run finishes (commits) nothing");
    }

    @Test
    void aFailedRunStartsNoFurtherPiece() {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicInteger ran = new AtomicInteger();
        Scheduler<Recording> s = new Scheduler<>(Optional.empty(), 1, () -> new Recording(1, events, false), "test");
        List<Task<Recording>> tasks = List.of(
                task(3, lane -> {
                    ran.incrementAndGet();
                    throw new OutOfMemoryError("injected");
                }),
                task(2, lane -> ran.incrementAndGet()),
                task(1, lane -> ran.incrementAndGet()));
        PgsubsetException e = assertThrows(PgsubsetException.class, () -> s.run(tasks));
        assertTrue(e.getCause() instanceof OutOfMemoryError, e::toString);
        assertEquals(1, ran.get(), "the heaviest piece runs first and nothing after its failure");
        assertEquals(List.of("cancel 1", "close 1"), events);
    }

    /**
     * A dump's full tables start before its closure is known: the lanes of {@code start} run them
     * while the calling thread does other work; tasks added later run on the same lanes or the
     * leader's, once each; one a worker hands to the leader waits for {@code finish}, on the
     * calling thread.
     */
    @Test
    void startedLanesRunLaterTasksAndTheLeaderServesItsOwnInFinish() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicInteger ids = new AtomicInteger();
        Recording leader = new Recording(0, events, false);
        Scheduler<Recording> s = new Scheduler<>(Optional.of(leader), 1,
                () -> new Recording(ids.incrementAndGet(), events, false), "test");
        CountDownLatch earlyRan = new CountDownLatch(1);
        s.start(List.of(task(1, lane -> {
            events.add("early on " + lane.id);
            earlyRan.countDown();
        })));
        assertTrue(earlyRan.await(30, TimeUnit.SECONDS), "a started task runs before finish: " + events);
        s.add(List.of(task(1, lane -> events.add("light on " + lane.id)),
                task(5, lane -> events.add("heavy on " + lane.id)),
                task(3, lane -> {
                    if (lane.id != 0) {
                        throw new LeaderOnly("queued lock");
                    }
                    events.add("leader's on " + lane.id + " in " + Thread.currentThread().getName());
                })));
        String caller = Thread.currentThread().getName();
        s.finish();
        assertEquals("early on 1", events.get(0));
        assertEquals(1, events.stream().filter(e -> e.startsWith("heavy on ")).count(), events::toString);
        assertEquals(1, events.stream().filter(e -> e.startsWith("light on ")).count(), events::toString);
        assertTrue(events.contains("leader's on 0 in " + caller), events::toString);
        assertEquals(1, ids.get(), "no second worker lane");
        assertTrue(events.indexOf("finish 1") < events.indexOf("close 1"), events::toString);
        assertTrue(events.stream().noneMatch(e -> e.equals("close 0")), "the leader's lane is the caller's to close");
    }

    /**
     * The workers busy with big started tasks: the small started tasks behind them are the leader's
     * once it has copied one of its own (a subset dump) with one worker; never when it has none (a
     * full plan), nor with more workers, whose lost connections reconnect where the leader's would
     * end the run.
     */
    @Test
    void aLeaderThatCopiedTakesTheSmallTasksWaitingBehindABigOneOnlyWithOneWorker() throws Exception {
        assertEquals(List.of("small a on 0", "small b on 0"), smallTasksAfter(true, 1));
        assertEquals(List.of("small a on 1", "small b on 1"), smallTasksAfter(false, 1));
        assertTrue(smallTasksAfter(true, 2).stream().noneMatch(e -> e.endsWith(" on 0")));
    }

    /** Where the small tasks ran; each big one ends when both have run, or after a second. */
    private static List<String> smallTasksAfter(boolean subset, int workers) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicInteger ids = new AtomicInteger();
        Scheduler<Recording> s = new Scheduler<>(Optional.of(new Recording(0, events, false)), workers,
                () -> new Recording(ids.incrementAndGet(), events, false), "test");
        CountDownLatch bigStarted = new CountDownLatch(workers);
        CountDownLatch smallDone = new CountDownLatch(2);
        List<Task<Recording>> tasks = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            tasks.add(task(10, lane -> {
                bigStarted.countDown();
                try {
                    smallDone.await(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        tasks.add(task(2, lane -> {
            events.add("small a on " + lane.id);
            smallDone.countDown();
        }));
        tasks.add(task(1, lane -> {
            events.add("small b on " + lane.id);
            smallDone.countDown();
        }));
        s.start(tasks);
        assertTrue(bigStarted.await(30, TimeUnit.SECONDS));
        if (subset) {
            s.add(List.of(task(5, lane -> events.add("subset on " + lane.id))));
        }
        s.finish();
        return events.stream().filter(e -> e.startsWith("small ")).toList();
    }

    /**
     * Nobody waits out a timeout: an idle worker wakes when the tasks end, the leader when the last
     * worker ends or a worker fails. The scheduler's safety-net recheck is set to an hour here, so
     * only those wake-ups can end these runs.
     */
    @Test
    void idleLanesAndTheLeaderAreWokenInsteadOfWaitingOutATimeout() {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicInteger ids = new AtomicInteger();
        Recording leader = new Recording(0, events, false);
        Scheduler<Recording> s = new Scheduler<>(Optional.of(leader), 3,
                () -> new Recording(ids.incrementAndGet(), events, false), "test").recheckMillis(3_600_000);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            s.start(List.of(task(1, lane -> events.add("early on " + lane.id))));
            s.add(List.of(task(2, lane -> events.add("later on " + lane.id))));
            s.finish();
        }, "finish waited for a timeout instead of being woken: " + events);
        assertEquals(2, events.stream().filter(e -> e.contains(" on ")).count(), events::toString);
        assertEquals(3, events.stream().filter(e -> e.startsWith("close ")).count(), "all three lanes closed: " + events);

        Scheduler<Recording> failing = new Scheduler<>(Optional.of(leader), 2,
                () -> new Recording(ids.incrementAndGet(), events, false), "test").recheckMillis(3_600_000);
        IllegalStateException injected = new IllegalStateException("injected");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            failing.start(List.of());
            failing.add(List.of(task(1, lane -> {
                throw injected;
            })));
            assertSame(injected, assertThrows(IllegalStateException.class, failing::finish));
        }, "a worker's failure left the leader waiting: " + events);
    }

    /**
     * With the closure done, the leader copies the tables of {@code add} while the workers are busy
     * with those of {@code start}, heaviest first, and then, having copied, what {@code start} gave
     * that no worker has begun, heaviest first among all that waits.
     */
    @Test
    void theLeaderTakesTheAddedTasksThenTheStartedOnesNoWorkerBegan() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        Recording leader = new Recording(0, events, false);
        Scheduler<Recording> s = new Scheduler<>(Optional.of(leader), 1, () -> new Recording(1, events, false), "test");
        CountDownLatch workerBusy = new CountDownLatch(1);
        CountDownLatch addedDone = new CountDownLatch(2);
        s.start(List.of(task(9, lane -> {
            events.add("full-1 on " + lane.id);
            workerBusy.countDown();
            try {
                assertTrue(addedDone.await(30, TimeUnit.SECONDS), "the added tasks ran meanwhile");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), task(8, lane -> events.add("full-2 on " + lane.id))));
        assertTrue(workerBusy.await(30, TimeUnit.SECONDS));
        s.add(List.of(task(1, lane -> {
            events.add("light on " + lane.id);
            addedDone.countDown();
        }), task(2, lane -> {
            events.add("heavy on " + lane.id);
            addedDone.countDown();
        })));
        assertTimeoutPreemptively(Duration.ofSeconds(60), s::finish);
        assertEquals(List.of("full-1 on 1", "heavy on 0", "full-2 on 0", "light on 0"),
                events.stream().filter(e -> e.contains(" on ")).toList());
    }
}
