package io.pgsubset.transform;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.Column;
import io.pgsubset.catalog.ForeignKey;
import io.pgsubset.catalog.Key;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.Table;
import io.pgsubset.plan.ResolvedPlan;
import io.pgsubset.plan.TablePlan;
import io.pgsubset.plan.Transform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the catalog alone says about a plan's transforms: each fits its column's type; a
 * transformed key column keeps its UNIQUE/PRIMARY KEY constraint; and both sides of every
 * foreign key (declared or a plan relation) are transformed alike, so the restored foreign keys
 * still hold. Everything is reported at once, each problem at its transform.
 */
public final class TransformCheck {
    private TransformCheck() {
    }

    /** One problem with the transform of {@code table.column}. */
    public record Problem(QualifiedName table, String column, String message, String fix) {
    }

    public static List<Problem> check(Catalog catalog, ResolvedPlan plan) {
        List<Problem> problems = new ArrayList<>();
        Map<QualifiedName, Map<String, ColumnTransform>> planned = new LinkedHashMap<>();
        for (TablePlan tp : plan.tables()) {
            Optional<Table> table = catalog.table(tp.table());
            if (table.isEmpty() || tp.transforms().isEmpty()) {
                continue;
            }
            planned.put(tp.table(), plan(table.get(), tp.transforms(), problems));
        }
        for (Map.Entry<QualifiedName, Map<String, ColumnTransform>> e : planned.entrySet()) {
            checkKeys(catalog.require(e.getKey()), e.getValue(), problems);
        }
        Set<String> reported = new LinkedHashSet<>();
        for (ForeignKey fk : Stream.concat(catalog.foreignKeys().stream(), plan.relations().stream()).toList()) {
            checkForeignKey(fk, plan, planned, problems, reported);
        }
        return problems;
    }

    private static Map<String, ColumnTransform> plan(Table table, Map<String, Transform> transforms,
                                                     List<Problem> problems) {
        Map<String, ColumnTransform> out = new LinkedHashMap<>();
        for (Map.Entry<String, Transform> e : transforms.entrySet()) {
            Optional<Column> column = table.column(e.getKey());
            if (column.isEmpty()) {
                problems.add(new Problem(table.name(), e.getKey(), "table " + table.name().display()
                        + " has no column " + e.getKey(), "name one of its columns"));
                continue;
            }
            try {
                out.put(e.getKey(), ColumnTransform.of(column.get(), e.getValue()));
            } catch (ColumnTransform.Refused r) {
                problems.add(new Problem(table.name(), e.getKey(), table.name().display() + "." + r.getMessage(), r.fix()));
            }
        }
        return out;
    }

    private static void checkKeys(Table table, Map<String, ColumnTransform> transforms, List<Problem> problems) {
        List<Key> keys = new ArrayList<>();
        table.primaryKey().ifPresent(keys::add);
        keys.addAll(table.uniqueKeys());
        for (Key key : keys) {
            for (String c : key.columns()) {
                ColumnTransform t = transforms.get(c);
                if (t == null) {
                    continue;
                }
                Optional<String> loss = t.uniquenessLoss();
                if (loss.isPresent()) {
                    problems.add(new Problem(table.name(), c, "column " + c + " of " + table.name().display()
                            + " is in " + (key.primary() ? "PRIMARY KEY " : "UNIQUE constraint ") + key.name() + ", but "
                            + loss.get() + ", so the restore would fail on duplicates",
                            "use hash (distinct values stay distinct) or leave the column as it is"));
                }
            }
        }
    }

    private static void checkForeignKey(ForeignKey fk, ResolvedPlan plan,
                                        Map<QualifiedName, Map<String, ColumnTransform>> planned,
                                        List<Problem> problems, Set<String> reported) {
        Map<String, Transform> childTransforms = transforms(plan, fk.child());
        Map<String, Transform> parentTransforms = transforms(plan, fk.parent());
        for (int i = 0; i < fk.childColumns().size(); i++) {
            String cc = fk.childColumns().get(i);
            String pc = fk.parentColumns().get(i);
            Transform ct = childTransforms.get(cc);
            Transform pt = parentTransforms.get(pc);
            if (ct == null && pt == null) {
                continue;
            }
            if (ct instanceof Transform.Null) {
                continue; // a NULL reference is never checked (NOT NULL columns refuse null elsewhere)
            }
            String edge = "foreign key " + fk.name() + " (" + fk.describe() + ")";
            if (ct == null || pt == null) {
                boolean childSide = ct != null;
                QualifiedName at = childSide ? fk.child() : fk.parent();
                String col = childSide ? cc : pc;
                String other = childSide ? fk.parent().display() + "." + pc : fk.child().display() + "." + cc;
                report(problems, reported, new Problem(at, col, "column " + col + " of " + at.display() + " is in "
                        + edge + ", but " + other + " is not transformed, so the restored rows would not match",
                        "give " + other + " the same deterministic transform (e.g. hash), or drop this one"));
                continue;
            }
            ColumnTransform child = planned.getOrDefault(fk.child(), Map.of()).get(cc);
            ColumnTransform parent = planned.getOrDefault(fk.parent(), Map.of()).get(pc);
            if (child == null || parent == null) {
                continue; // refused for its type already
            }
            if (!ct.deterministic()) {
                report(problems, reported, new Problem(fk.child(), cc, "column " + cc + " of " + fk.child().display()
                        + " is in " + edge + ", and " + ColumnTransform.describe(ct)
                        + " is not deterministic, so references would not match their rows",
                        "use the same deterministic built-in (hash, email, digits: N) on both sides"));
            } else if (!child.signature().equals(parent.signature())) {
                report(problems, reported, new Problem(fk.child(), cc, "column " + cc + " of " + fk.child().display()
                        + " (" + child.column().type() + ", " + child.description() + ") and " + fk.parent().display()
                        + "." + pc + " (" + parent.column().type() + ", " + parent.description() + ") are in " + edge
                        + " but are transformed differently, so references would not match their rows",
                        "give both columns the same deterministic built-in; on columns of different lengths or "
                                + "types it can differ, so use the same type or leave the key as it is"));
            }
        }
    }

    private static Map<String, Transform> transforms(ResolvedPlan plan, QualifiedName table) {
        return plan.table(table).map(TablePlan::transforms).orElse(Map.of());
    }

    private static void report(List<Problem> problems, Set<String> reported, Problem p) {
        if (reported.add(p.table() + "\0" + p.column() + "\0" + p.message())) {
            problems.add(p);
        }
    }
}
