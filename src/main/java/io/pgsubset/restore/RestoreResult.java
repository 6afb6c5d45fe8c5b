package io.pgsubset.restore;

import java.util.List;

/**
 * @param database      the database that now holds the dump
 * @param keptOld       with --replace: the name the replaced database was kept under, if any
 */
public record RestoreResult(String database, List<TableRows> tables, java.util.Optional<String> keptOld,
                            long millis) {
    public RestoreResult {
        tables = List.copyOf(tables);
    }

    /** Rows loaded into one table against the manifest's count. */
    public record TableRows(String schema, String name, long rows, long expected, long bytes, long millis) {
        public boolean matches() {
            return rows == expected;
        }
    }

    public boolean allMatch() {
        return tables.stream().allMatch(TableRows::matches);
    }
}
