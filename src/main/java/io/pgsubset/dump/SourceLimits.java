package io.pgsubset.dump;

import java.util.Objects;
import java.util.Optional;

/**
 * What a dump or clone may take from the source beyond its locks.
 *
 * @param statementTimeout {@code statement_timeout} (server syntax: {@code 30s}, {@code 5min}) for the catalog and
 *                         closure statements; a COPY is never timed
 */
public record SourceLimits(Optional<String> statementTimeout) {
    public SourceLimits {
        Objects.requireNonNull(statementTimeout, "statementTimeout");
    }

    /** No limits: statements run as long as they need. */
    public static SourceLimits none() {
        return new SourceLimits(Optional.empty());
    }
}
