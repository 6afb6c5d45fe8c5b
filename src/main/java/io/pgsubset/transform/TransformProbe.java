package io.pgsubset.transform;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.Column;
import io.pgsubset.catalog.Table;
import io.pgsubset.plan.ResolvedPlan;
import io.pgsubset.plan.TablePlan;
import io.pgsubset.plan.Transform;
import io.pgsubset.sql.Ident;
import io.pgsubset.sql.ReadOnlyTrials;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lets the server try every transform of a plan on a few rows, in a read-only transaction that is
 * rolled back: a typo, an unknown function, an expression whose type does not cast to the column
 * (text into integer, a 300-character value into varchar(254)) fails here, at its plan line,
 * instead of halfway through a dump.
 */
public final class TransformProbe {
    /** Rows each transform is tried on: enough to hit a bad cast, cheap on any table. */
    static final int SAMPLE_ROWS = 20;
    private static final String PROBE = "SELECT %s FROM %s LIMIT " + SAMPLE_ROWS;

    private TransformProbe() {
    }

    /**
     * Works in autocommit mode (opens and rolls back its own read-only transaction) and inside a
     * caller's transaction (uses savepoints and leaves it as it was). Transforms that do not fit
     * their column's type are skipped: {@link TransformCheck} reports those.
     */
    public static List<TransformCheck.Problem> check(Connection conn, Catalog catalog, ResolvedPlan plan) {
        List<TransformCheck.Problem> problems = new ArrayList<>();
        TransformKey key = TransformKey.random();
        ReadOnlyTrials.run(conn, "try the plan's transforms", trials -> {
            for (TablePlan tp : plan.tables()) {
                Optional<Table> table = catalog.table(tp.table());
                if (table.isPresent()) {
                    probeTable(trials, table.get(), tp.transforms(), key, problems);
                }
            }
        });
        return problems;
    }

    private static void probeTable(ReadOnlyTrials trials, Table table, Map<String, Transform> transforms,
                                   TransformKey key, List<TransformCheck.Problem> problems) throws SQLException {
        for (Map.Entry<String, Transform> e : transforms.entrySet()) {
            Optional<Column> column = table.column(e.getKey());
            if (column.isEmpty()) {
                continue;
            }
            ColumnTransform t;
            try {
                t = ColumnTransform.of(column.get(), e.getValue());
            } catch (ColumnTransform.Refused r) {
                continue;
            }
            trials.attempt(PROBE.formatted(t.sql(key, Ident.quote(column.get().name())), table.name().sql()))
                    .ifPresent(ex -> problems.add(problem(table, t, ex)));
        }
    }

    private static TransformCheck.Problem problem(Table table, ColumnTransform t, SQLException e) {
        String message = e.getMessage();
        String fix = "fix the transform (it is tried on " + SAMPLE_ROWS + " rows, cast to " + t.column().type()
                + ", in a read-only transaction)";
        if (e instanceof PSQLException pe && pe.getServerErrorMessage() != null) {
            ServerErrorMessage sem = pe.getServerErrorMessage();
            message = sem.getMessage();
            if (sem.getHint() != null) {
                fix = sem.getHint();
            }
        }
        return new TransformCheck.Problem(table.name(), t.column().name(), "transform of column "
                + t.column().name() + " of " + table.name().display() + " (" + t.description() + ", as "
                + t.column().type() + ") fails on the server: " + message, fix);
    }
}
