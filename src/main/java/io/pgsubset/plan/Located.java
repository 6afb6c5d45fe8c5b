package io.pgsubset.plan;

import java.util.Objects;

/** A value of the plan file with the place it was written. */
public record Located<T>(T value, Position position) {
    public Located {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(position, "position");
    }
}
