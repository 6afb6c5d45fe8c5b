package io.pgsubset.plan;

import io.pgsubset.catalog.QualifiedName;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a valid plan most likely gets wrong, each as {@code file:line:column: what}: the plan runs
 * as written, but its author meant something else. {@code plan check} and {@code plan explain}
 * print them on stderr; exit codes stay 0.
 */
public final class PlanWarnings {
    private PlanWarnings() {
    }

    public static List<String> of(LoadedPlan loaded) {
        List<String> out = new ArrayList<>();
        Map<QualifiedName, TablePlan> byTable = loaded.plan().byTable();
        for (PlanFile.FollowEntry entry : loaded.file().follow()) {
            if (entry.via().isEmpty()) {
                continue;
            }
            Position at = entry.via().get(0).position();
            for (TablePlan t : loaded.plan().tables()) {
                if (entry.table().matches(t.table()) && t.mode() instanceof Mode.Follow f && !f.via().isEmpty()
                        && f.via().stream().noneMatch(fk -> restricted(byTable.get(fk.parent())))) {
                    out.add(loaded.file().source() + ":" + at.line() + ":" + at.column() + ": follow table "
                            + t.table().display() + " can never get rows downward: its via names only "
                            + f.via().stream().map(fk -> fk.describe() + " (" + modeOf(byTable.get(fk.parent())) + ")")
                            .collect(Collectors.joining(", "))
                            + ", and only sampled or following parents select children; it gets just the rows the "
                            + "upward closure needs - name a foreign key into a sampled or following table, or make "
                            + "the parent follow");
                }
            }
        }
        return out;
    }

    private static boolean restricted(TablePlan parent) {
        return parent != null && (parent.mode() instanceof Mode.Sample || parent.mode() instanceof Mode.Follow);
    }

    private static String modeOf(TablePlan parent) {
        return parent == null ? "outside the plan" : parent.mode().keyword();
    }
}
