package io.pgsubset.plan;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A plan as written: parsed and structurally valid, not yet checked against a catalog. Every
 * entry keeps its place in the file so later checks can point at it.
 *
 * @param source  the plan's path as the user gave it (used in messages)
 * @param schemas the {@code schemas:} list, empty when the plan does not restrict them
 */
public record PlanFile(String source, int version, List<Located<String>> schemas, Located<Unlisted> unlisted,
                       List<NamePattern> full, List<NamePattern> skip, List<SampleEntry> sample,
                       List<FollowEntry> follow, List<RelationEntry> relations, OnSkippedParent onSkippedParent,
                       OptionalLong maxRows, List<TransformEntry> transforms) {
    public PlanFile {
        schemas = List.copyOf(schemas);
        full = List.copyOf(full);
        skip = List.copyOf(skip);
        sample = List.copyOf(sample);
        follow = List.copyOf(follow);
        relations = List.copyOf(relations);
        transforms = List.copyOf(transforms);
    }

    /** A {@code sample:} entry; {@code rate} is where every/percent was written. */
    public record SampleEntry(NamePattern table, Located<SampleRate> rate, List<Located<String>> orderBy,
                              OptionalLong limit, Optional<Located<String>> where) {
        public SampleEntry {
            orderBy = List.copyOf(orderBy);
        }
    }

    /** A {@code follow:} entry; {@code via} lists foreign-key columns (or constraint names) as written. */
    public record FollowEntry(NamePattern table, List<Located<String>> via, OptionalLong limit) {
        public FollowEntry {
            via = List.copyOf(via);
        }
    }

    /** A {@code relations:} entry: {@code child: t(a, b)}, {@code parent: p(x, y)}. */
    public record RelationEntry(Position position, NamePattern child, List<String> childColumns, NamePattern parent,
                                List<String> parentColumns) {
        public RelationEntry {
            childColumns = List.copyOf(childColumns);
            parentColumns = List.copyOf(parentColumns);
        }
    }

    /** The {@code transform:} entry of one table. */
    public record TransformEntry(NamePattern table, List<ColumnTransform> columns) {
        public TransformEntry {
            columns = List.copyOf(columns);
        }
    }

    /** One column's transform; {@code position} is where its value was written. */
    public record ColumnTransform(Located<String> column, Transform transform, Position position) {
    }
}
