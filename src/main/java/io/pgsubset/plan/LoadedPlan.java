package io.pgsubset.plan;

import io.pgsubset.catalog.Catalog;

/**
 * A plan read from its file and resolved against the catalog it was checked with.
 *
 * @param catalog the catalog without the plan's relations; {@link #catalogWithRelations()} adds them
 */
public record LoadedPlan(PlanFile file, Catalog catalog, ResolvedPlan plan) {
    /** The catalog with the plan's declared relations as extra foreign keys (declared = false). */
    public Catalog catalogWithRelations() {
        return catalog.withForeignKeys(plan.relations());
    }

    public PlanGraph graph() {
        return PlanGraph.of(catalog, plan);
    }
}
