package io.pgsubset.copy;

/** One piece of copy work: a table, a block range of one, or a share of a data file. */
public interface Task<L extends Lane> {
    /** Estimated bytes: the scheduler starts the heaviest pieces first. */
    double weight();

    /**
     * Copies the piece on {@code lane}. Throws {@link LeaderOnly} when it cannot run on a worker's
     * lane without waiting behind another session, so that the leader's lane runs it instead.
     */
    void run(L lane);
}
