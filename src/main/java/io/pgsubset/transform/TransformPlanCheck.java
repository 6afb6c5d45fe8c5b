package io.pgsubset.transform;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.plan.PlanFile;
import io.pgsubset.plan.PlanProblem;
import io.pgsubset.plan.Position;
import io.pgsubset.plan.ResolvedPlan;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/**
 * The transform part of {@code plan check} (and so of every dump): {@link TransformCheck} on the
 * catalog, then {@link TransformProbe} on the server, each problem placed at its transform's
 * line in the plan file.
 */
public final class TransformPlanCheck {
    private TransformPlanCheck() {
    }

    public static List<PlanProblem> problems(Connection conn, PlanFile file, Catalog catalog, ResolvedPlan plan) {
        List<TransformCheck.Problem> found = new ArrayList<>(TransformCheck.check(catalog, plan));
        found.addAll(TransformProbe.check(conn, catalog, plan));
        return found.stream().map(p -> new PlanProblem(file.source(), position(file, p.table(), p.column()),
                p.message(), p.fix())).toList();
    }

    /** Where the transform of {@code table.column} was written; the file's start if no entry names it. */
    static Position position(PlanFile file, QualifiedName table, String column) {
        Position fallback = Position.START;
        for (PlanFile.TransformEntry e : file.transforms()) {
            if (!e.table().matches(table)) {
                continue;
            }
            for (PlanFile.ColumnTransform ct : e.columns()) {
                if (ct.column().value().equals(column)) {
                    return ct.position();
                }
                if (ct.column().value().equalsIgnoreCase(column)) {
                    fallback = ct.position();
                }
            }
        }
        return fallback;
    }
}
