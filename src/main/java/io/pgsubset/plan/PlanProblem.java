package io.pgsubset.plan;

import java.util.Objects;

/**
 * One thing wrong with a plan, where it is and how to fix it. Printed as
 * {@code plan.yaml:12:5: <what is wrong> - <the fix>}.
 *
 * @param file the plan's path as the user gave it
 */
public record PlanProblem(String file, int line, int column, String message, String fix) {
    public PlanProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(fix, "fix");
    }

    public PlanProblem(String file, Position at, String message, String fix) {
        this(file, at.line(), at.column(), message, fix);
    }

    public String format() {
        return file + ":" + line + ":" + column + ": " + message + " - " + fix;
    }

    @Override
    public String toString() {
        return format();
    }
}
