package io.pgsubset.clone;

import io.pgsubset.dump.SourceSnapshot;
import io.pgsubset.error.UsageException;

import java.util.Optional;

/**
 * What to clone and where.
 *
 * @param source what to read: plan, max_rows, lock timeout, owners, transform key, part size
 * @param jobs   pairs of connections (a source session and a target connection) copying at once
 * @param create create the target database first; with {@code replace}: build beside it and swap,
 *               with {@code clean}: empty a non-empty target first (as {@code pgsubset restore})
 */
public record CloneRequest(SourceSnapshot.Options source, int jobs, boolean create, Optional<String> owner,
                           boolean clean, Optional<String> replace, boolean terminate, boolean dropOld,
                           String maintenanceDb, String toolVersion) {
    public CloneRequest {
        if (jobs < 1) {
            throw new UsageException("--jobs must be at least 1, got " + jobs);
        }
        if (!create && !clean && replace.isEmpty()) {
            throw new UsageException("say what to do with the target: --create (a new database), --clean (empty a "
                    + "database first) or --replace DBNAME (build beside it and swap)");
        }
    }
}
