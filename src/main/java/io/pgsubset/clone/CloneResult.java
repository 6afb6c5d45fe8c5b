package io.pgsubset.clone;

import io.pgsubset.dump.CopiedTable;

import java.util.List;
import java.util.Optional;

/**
 * @param database the database that now holds the clone
 * @param keptOld  with --replace: the name the replaced database was kept under, if any
 */
public record CloneResult(String database, List<CopiedTable> tables, Optional<String> keptOld, long millis) {
    public CloneResult {
        tables = List.copyOf(tables);
    }
}
