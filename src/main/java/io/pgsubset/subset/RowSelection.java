package io.pgsubset.subset;

import java.util.List;
import java.util.Optional;

/**
 * Which rows of one table the dump writes. The dump turns it into COPY queries; a keyed selection
 * renders as several predicates (chunks) so no statement grows without bound.
 */
public sealed interface RowSelection permits RowSelection.AllRows, RowSelection.NoRows, RowSelection.KeyedRows {
    /** Every row, optionally restricted by a SQL condition (an extension configuration table's filter). */
    record AllRows(Optional<String> condition) implements RowSelection {
    }

    /** No rows: skipped tables and tables nothing reached. */
    record NoRows() implements RowSelection {
    }

    /** The rows whose identity (key columns, or ctid in a snapshot) is in a compact client-side set. */
    non-sealed interface KeyedRows extends RowSelection {
        long count();

        /**
         * SQL conditions over the table aliased {@code alias}; each selects a disjoint part of the rows
         * and together they select exactly this set. Values are inlined as literals since COPY takes
         * no bind parameters.
         */
        List<String> predicates(String alias, int maxKeysPerPredicate);
    }
}
