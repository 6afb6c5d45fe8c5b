package io.pgsubset.subset;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.TableSize;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.plan.ResolvedPlan;

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
            throw new PgsubsetException("the dry run failed: " + e.getMessage(), e);
        }
    }

    private static OptionalLong bytes(Catalog catalog, TableSubset t) {
        QualifiedName name = t.plan().table();
        TableSize size = catalog.treeSize(name);
        long data = size.heap() + size.toast();
        if (t.selection() instanceof RowSelection.AllRows && t.rows() > 0) {
            return OptionalLong.of(data);
        }
        if (t.rows() == 0) {
            return OptionalLong.of(0);
        }
        double estimate = catalog.require(name).estimatedRows().orElse(-1);
        boolean known = estimate >= 0;
        for (QualifiedName p : catalog.allPartitions(name)) {
            double e = catalog.require(p).estimatedRows().orElse(-1);
            if (e >= 0) {
                estimate = Math.max(0, estimate) + e;
                known = true;
            }
        }
        if (!known || estimate <= 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.round(t.rows() * (data / estimate)));
    }
}
