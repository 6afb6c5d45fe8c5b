package io.pgsubset.verify;

import java.util.List;

/** Every check verify made, in order: tables, foreign keys, sequences. */
public record VerifyReport(String database, List<Check> checks) {
    public VerifyReport {
        checks = List.copyOf(checks);
    }

    public List<Check> differences() {
        return checks.stream().filter(c -> !c.ok()).toList();
    }

    public boolean ok() {
        return differences().isEmpty();
    }
}
