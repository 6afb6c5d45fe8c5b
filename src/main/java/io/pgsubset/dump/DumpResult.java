package io.pgsubset.dump;

import io.pgsubset.manifest.Manifest;

import java.nio.file.Path;

/** A finished dump: where it is, its manifest, and how long it took. */
public record DumpResult(Path directory, Manifest manifest, long nanos) {
    public long totalRows() {
        return manifest.tables().stream().mapToLong(Manifest.TableEntry::rows).sum();
    }

    public long totalBytes() {
        return manifest.tables().stream().mapToLong(Manifest.TableEntry::bytes).sum();
    }
}
