package io.pgsubset.verify;

import java.util.List;

/**
 * Every check verify made, in order: tables, foreign keys, sequences, the database itself. The
 * data's checks decide {@link #ok}; the database's encoding, locale, settings and comment are
 * {@link #warnings}, since a restore may differ there on purpose (--locale, an existing target).
 */
public record VerifyReport(String database, List<Check> checks) {
    public VerifyReport {
        checks = List.copyOf(checks);
    }

    /** Failed checks of the data: tables, foreign keys, sequences. */
    public List<Check> differences() {
        return checks.stream().filter(c -> !c.ok() && c.kind() != Check.Kind.DATABASE).toList();
    }

    /** Where the database's encoding, locale, settings or comment differ from the source's. */
    public List<Check> warnings() {
        return checks.stream().filter(c -> !c.ok() && c.kind() == Check.Kind.DATABASE).toList();
    }

    public boolean ok() {
        return differences().isEmpty();
    }
}
