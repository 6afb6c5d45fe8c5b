package io.pgsubset.plan;

import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.sql.ReadOnlyTrials;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Lets the server check the SQL a plan carries: every {@code where:} filter is EXPLAINed (planned,
 * never run) in a read-only transaction, so a typo is reported with its plan line before a dump
 * starts. (Transforms, SQL ones included, are tried by {@code io.pgsubset.transform.TransformProbe}.)
 */
public final class PlanChecker {
    private PlanChecker() {
    }

    /**
     * Throws {@link PlanException} with every failing fragment. Works in autocommit mode (it opens
     * and rolls back its own read-only transaction) and inside a caller's transaction (it uses
     * savepoints and leaves the transaction as it found it).
     */
    public static void checkSql(Connection conn, PlanFile file, ResolvedPlan plan) {
        List<Fragment> fragments = fragments(file, plan);
        if (fragments.isEmpty()) {
            return;
        }
        List<PlanProblem> problems = new ArrayList<>();
        ReadOnlyTrials.run(conn, "check the plan's SQL", trials -> {
            for (Fragment f : fragments) {
                trials.attempt(f.sql()).ifPresent(e -> problems.add(problem(file, f, e)));
            }
        });
        PlanException.throwIfAny(problems);
    }

    /** One SQL text to EXPLAIN and where it came from. */
    private record Fragment(QualifiedName table, String what, Position position, String sql) {
    }

    private static final String EXPLAIN_WHERE = "EXPLAIN (COSTS OFF) SELECT 1 FROM %s WHERE (%s\n)";

    private static List<Fragment> fragments(PlanFile file, ResolvedPlan plan) {
        List<Fragment> out = new ArrayList<>();
        for (PlanFile.SampleEntry s : file.sample()) {
            if (s.where().isEmpty()) {
                continue;
            }
            Located<String> where = s.where().get();
            for (TablePlan t : plan.tables()) {
                if (s.table().matches(t.table()) && t.mode() instanceof Mode.Sample m
                        && m.where().filter(where.value()::equals).isPresent()) {
                    out.add(new Fragment(t.table(), "where", where.position(),
                            EXPLAIN_WHERE.formatted(t.table().sql(), where.value())));
                }
            }
        }
        return out;
    }

    private static PlanProblem problem(PlanFile file, Fragment f, SQLException e) {
        String message = e.getMessage();
        String fix = "fix the SQL (it is checked with EXPLAIN in a read-only transaction)";
        if (e instanceof PSQLException pe && pe.getServerErrorMessage() != null) {
            ServerErrorMessage sem = pe.getServerErrorMessage();
            message = sem.getMessage();
            if (sem.getHint() != null) {
                fix = sem.getHint();
            }
        }
        return new PlanProblem(file.source(), f.position(), f.what() + " of " + f.table().display()
                + " fails on the server: " + message, fix);
    }
}
