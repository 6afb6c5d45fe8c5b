package io.pgsubset.plan;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.transform.TransformPlanCheck;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/** What a command does with {@code --plan FILE}: load, resolve against the live catalog, let the server check the SQL. */
public final class Plans {
    private Plans() {
    }

    /**
     * Reads the plan file and the catalog of every non-system schema, resolves the plan and
     * EXPLAINs its SQL fragments. Throws {@link PlanException} (exit 2) with every problem.
     *
     * @param sizes exact table sizes only for commands that print them: on thousands of tables
     *              reading them costs more than everything else together
     */
    public static LoadedPlan load(Connection conn, Path planFile, CatalogReader.Sizes sizes) {
        PlanLoader.Parsed parsed = PlanLoader.read(planFile);
        if (parsed.file().isEmpty()) {
            throw new PlanException(parsed.problems());
        }
        LoadedPlan loaded;
        try {
            loaded = resolve(conn, parsed.file().get(), CatalogReader.read(conn, java.util.List.of(), sizes));
        } catch (PlanException e) {
            // Report the file's own problems and the catalog's together. Entries with problems
            // were left out, so "not listed" complaints about their tables would only mislead.
            List<PlanProblem> all = new ArrayList<>(parsed.problems());
            e.problems().stream()
                    .filter(p -> parsed.problems().isEmpty() || !p.message().contains(PlanResolver.NOT_LISTED))
                    .forEach(all::add);
            throw new PlanException(all);
        }
        PlanException.throwIfAny(parsed.problems());
        return loaded;
    }

    /** The same for a catalog the caller already read (e.g. inside its dump snapshot). */
    public static LoadedPlan resolve(Connection conn, PlanFile file, Catalog catalog) {
        ResolvedPlan plan = PlanResolver.resolve(file, catalog);
        // Transforms are checked on the catalog (types, keys, both sides of foreign keys) and tried
        // on the server, reported together with the SQL check's problems.
        List<PlanProblem> problems = new ArrayList<>(TransformPlanCheck.problems(conn, file, catalog, plan));
        try {
            PlanChecker.checkSql(conn, file, plan);
        } catch (PlanException e) {
            problems.addAll(e.problems());
        }
        PlanException.throwIfAny(problems);
        return new LoadedPlan(file, catalog, plan);
    }
}
