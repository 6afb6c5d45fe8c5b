package io.pgsubset.subset;

/**
 * One step of the closure as it ran, for timings: the sample roots of a table, or one downward or
 * upward round.
 *
 * @param name  {@code sample <table>}, {@code down <n>} or {@code up <n>}
 * @param nanos its wall time
 * @param rows  the rows it added to the subset
 */
public record Round(String name, long nanos, long rows) {
}
