package io.pgsubset.dump;

import java.util.Objects;

/**
 * What {@code dump --format sql} writes: the source side of a directory dump (plan, locks, limits,
 * owners, transforms), gzip or not, and what the script does with a non-empty target. The script is
 * one stream: its tables are copied one after the other, never split ({@code source}'s part size
 * does not apply).
 */
public record ScriptRequest(SourceSnapshot.Options source, boolean compress, Clean clean, String toolVersion) {
    /** What the script does first in the target, in its one transaction. */
    public enum Clean {
        /** Refuse a non-empty target. */
        NONE,
        /** Drop the dump's schemas, extensions and large objects if they exist (dump --format sql --clean). */
        DUMPED_OBJECTS,
        /** Drop every schema, extension and large object, as restore --clean does (clone --clean). */
        EVERYTHING
    }

    public ScriptRequest {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(clean, "clean");
        Objects.requireNonNull(toolVersion, "toolVersion");
    }

    /** {@code dump --format sql}, with or without {@code --clean}. */
    public ScriptRequest(SourceSnapshot.Options source, boolean compress, boolean clean, String toolVersion) {
        this(source, compress, clean ? Clean.DUMPED_OBJECTS : Clean.NONE, toolVersion);
    }
}
