package io.pgsubset.dump;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.plan.ResolvedPlan;

/**
 * Turns the plan into a {@link ResolvedPlan} against the catalog as the dump's snapshot sees it,
 * so the plan is checked against exactly the tables that are dumped.
 */
@FunctionalInterface
public interface PlanSource {
    /** @param conn the dump's connection, inside its snapshot (e.g. to let the server check SQL fragments) */
    ResolvedPlan resolve(java.sql.Connection conn, Catalog catalog);

    /**
     * Without a plan file: every table of every user schema in full (partitions through their
     * partitioned table; tables whose rows come with their extension left out).
     */
    static PlanSource everyTableFull() {
        return (conn, catalog) -> new ResolvedPlan(catalog.schemas(), catalog.tables().stream()
                .filter(t -> !t.isPartition() && !t.extensionOwnedData())
                .map(t -> new io.pgsubset.plan.TablePlan(t.name(), new io.pgsubset.plan.Mode.Full(),
                        "no --plan: every table in full"))
                .toList(), java.util.List.of(), io.pgsubset.plan.OnSkippedParent.ERROR,
                java.util.OptionalLong.empty());
    }

    /** plan.yaml of a dump made without a plan file: a plan that selects the same. */
    String EVERY_TABLE_FULL_YAML = """
            # pgsubset dump without --plan: every table in full
            version: 1
            unlisted: full
            """;
}
