package io.pgsubset.plan;

import io.pgsubset.error.UsageException;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** A plan with problems: every one of them, in file order, one per line of the message. Exit 2. */
public class PlanException extends UsageException {
    private final List<PlanProblem> problems;

    public PlanException(List<PlanProblem> problems) {
        super(render(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a plan exception needs at least one problem");
        }
        this.problems = sorted(problems);
    }

    public List<PlanProblem> problems() {
        return problems;
    }

    private static List<PlanProblem> sorted(List<PlanProblem> problems) {
        return problems.stream().distinct()
                .sorted(Comparator.comparingInt(PlanProblem::line).thenComparingInt(PlanProblem::column))
                .toList();
    }

    private static String render(List<PlanProblem> problems) {
        return sorted(problems).stream().map(PlanProblem::format).collect(Collectors.joining("\n"));
    }

    /** Throws when there is anything to report. */
    static void throwIfAny(List<PlanProblem> problems) {
        if (!problems.isEmpty()) {
            throw new PlanException(problems);
        }
    }
}
