package io.pgsubset.dump;

import io.pgsubset.copy.RateLimit;

import java.util.Objects;
import java.util.Optional;

/**
 * What a dump or clone may take from the source beyond its locks.
 *
 * @param statementTimeout {@code statement_timeout} (server syntax: {@code 30s}, {@code 5min}) for the catalog and
 *                         closure statements; a COPY is never timed
 * @param maxRate          bytes per second the copy reads from the source, all jobs together
 */
public record SourceLimits(Optional<String> statementTimeout, RateLimit maxRate) {
    public SourceLimits {
        Objects.requireNonNull(statementTimeout, "statementTimeout");
        Objects.requireNonNull(maxRate, "maxRate");
    }

    /** No limits: statements run as long as they need, the copy as fast as it can. */
    public static SourceLimits none() {
        return new SourceLimits(Optional.empty(), RateLimit.NONE);
    }
}
