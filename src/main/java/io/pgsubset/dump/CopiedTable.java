package io.pgsubset.dump;

import io.pgsubset.catalog.QualifiedName;

import java.util.List;

/**
 * One table a clone copied: the rows the target loaded, the rows the subset selected, and the row
 * digest of what was sent (the digest a dump of the same rows records).
 *
 * @param counted whether {@code expected} was counted in the snapshot (else it is the planner's
 *                estimate for a full table or for children the server joins, and nothing to check)
 */
public record CopiedTable(QualifiedName table, String mode, List<String> columns, long rows, long expected,
                          boolean counted, String rowDigest, long bytes, long nanos) {
    public CopiedTable {
        columns = List.copyOf(columns);
    }

    public boolean matches() {
        return !counted || rows == expected;
    }
}
