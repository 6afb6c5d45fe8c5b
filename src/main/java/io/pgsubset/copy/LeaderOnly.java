package io.pgsubset.copy;

/**
 * Thrown by a {@link Task} on a worker's lane that must not wait there: typically its table has a
 * lock request queued behind the leader's lock, so a worker's own lock would queue behind that
 * request while the leader waits for the worker. The leader's lane, which holds the lock, runs it.
 */
public final class LeaderOnly extends RuntimeException {
    public LeaderOnly(String why) {
        super(why, null, false, false);
    }
}
