package io.pgsubset.plan;

import io.pgsubset.catalog.QualifiedName;

import java.util.Map;
import java.util.Objects;

/**
 * The resolved mode of one table and why it has it.
 *
 * @param reason     for people: the plan line ({@code plan.yaml:12:3: listed under sample}), the
 *                   policy ({@code unlisted: full}) or the FK path that made it follow
 * @param transforms cleaning per column name, in the order of the plan
 */
public record TablePlan(QualifiedName table, Mode mode, String reason, Map<String, Transform> transforms) {
    public TablePlan {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(reason, "reason");
        transforms = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(transforms));
    }

    public TablePlan(QualifiedName table, Mode mode, String reason) {
        this(table, mode, reason, Map.of());
    }
}
