package io.pgsubset.subset;

import io.pgsubset.error.Messages;
import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.TableSize;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.plan.Mode;
import io.pgsubset.plan.ResolvedPlan;
import io.pgsubset.plan.SampleRate;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BiFunction;

/**
 * The subset without the dump: the catalog, the plan's resolution and the closure in ONE
 * REPEATABLE READ, READ ONLY transaction, with exact row counts for every table (full tables are
 * counted), and an estimate of the bytes. Writes nothing anywhere. Used by {@code plan explain
 * --counts} and {@code sizes --plan}.
 */
public final class DryRun {
    /**
     * @param estimatedBytes the table's data (heap + TOAST) per estimated row times the planned rows;
     *                       empty when the table was never analyzed
     */
    public record PlannedTable(QualifiedName table, String mode, long rows, OptionalLong estimatedBytes) {
    }

    public record Report(Catalog catalog, ResolvedPlan plan, Subset subset, List<PlannedTable> tables) {
        public Report {
            tables = List.copyOf(tables);
        }

        public long totalRows() {
            return tables.stream().mapToLong(PlannedTable::rows).sum();
        }

        public long totalEstimatedBytes() {
            return tables.stream().mapToLong(t -> t.estimatedBytes().orElse(0)).sum();
        }

        /**
         * What a reader of the counts would otherwise miss: an {@code every: N} sample of a table with
         * fewer than N rows (after {@code where:}) chooses no row, as {@code row % N = 0} would.
         */
        public List<String> notes() {
            List<String> notes = new ArrayList<>();
            for (TableSubset t : subset.tables()) {
                if (t.plan().mode() instanceof Mode.Sample s && s.rate() instanceof SampleRate.Every e
                        && e.n() > 1 && t.roots() == 0) {
                    notes.add(t.plan().table().display() + ": every: " + e.n() + " samples no row: the table has "
                            + "fewer than " + e.n() + " rows" + (s.where().isPresent() ? " matching its where:" : "")
                            + " (rows " + e.n() + ", " + 2 * e.n() + " ... are taken)");
                }
            }
            return notes;
        }
    }

    private DryRun() {
    }

    /**
     * @param resolve turns the catalog (read in the snapshot) into the plan; may use the connection
     *                to let the server check the plan's SQL
     */
    public static Report run(Connection conn, BiFunction<Connection, Catalog, ResolvedPlan> resolve,
                             Closure.Options options) {
        try {
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            try {
                Catalog catalog = CatalogReader.read(conn);
                ResolvedPlan plan = resolve.apply(conn, catalog);
                Subset subset = Closure.compute(conn, catalog, plan, options.withCountAllRows(true));
                List<PlannedTable> tables = new ArrayList<>();
                for (TableSubset t : subset.tables()) {
                    tables.add(new PlannedTable(t.plan().table(), t.plan().mode().keyword(), t.rows(),
                            bytes(catalog, t)));
                }
                return new Report(catalog, plan, subset, tables);
            } finally {
                conn.rollback();
            }
        } catch (SQLException e) {
            throw new PgsubsetException("the dry run failed: " + Messages.firstLine(e), e);
        }
    }

    private static OptionalLong bytes(Catalog catalog, TableSubset t) {
        QualifiedName name = t.plan().table();
        TableSize size = catalog.treeSize(name);
        long data = size.heap() + size.toast();
        // every row: the table's bytes; an extension configuration table's filtered rows are priced per row below
        if (t.selection() instanceof RowSelection.AllRows all && all.condition().isEmpty() && t.rows() > 0) {
            return OptionalLong.of(data);
        }
        if (t.rows() == 0) {
            return OptionalLong.of(0);
        }
        double estimate = catalog.estimatedRows(name).orElse(0);
        if (estimate <= 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.round(t.rows() * (data / estimate)));
    }
}
