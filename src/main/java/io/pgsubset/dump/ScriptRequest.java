package io.pgsubset.dump;

import java.util.Objects;

/**
 * What {@code dump --format sql} writes: the source side of a directory dump (plan, locks, limits,
 * owners, transforms), gzip or not, and whether the script drops the dump's objects in the target
 * first ({@code clean}) or refuses a non-empty target. The script is one stream: its tables are
 * copied one after the other, never split ({@code source}'s part size does not apply).
 */
public record ScriptRequest(SourceSnapshot.Options source, boolean compress, boolean clean, String toolVersion) {
    public ScriptRequest {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(toolVersion, "toolVersion");
    }
}
