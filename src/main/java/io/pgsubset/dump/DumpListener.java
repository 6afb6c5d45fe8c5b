package io.pgsubset.dump;

import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.manifest.Manifest;

import java.util.List;

/**
 * Progress of a dump, for the command line to draw. Called from worker threads, so
 * implementations must be thread-safe; they must not throw.
 */
public interface DumpListener {
    DumpListener NONE = new DumpListener() {
    };

    /** A table the dump will write, with the rows the subset selected for it. */
    record PlannedTable(QualifiedName name, String mode, long rows) {
    }

    /**
     * Tables copied in full that start before the subset is known (the closure cannot change them);
     * {@link #planned} follows with every table, these included.
     */
    default void copyingBeforeClosure(List<PlannedTable> tables) {
    }

    /** The subset is known: every table the dump writes (some may have started already). */
    default void planned(List<PlannedTable> tables) {
    }

    default void tableStarted(QualifiedName table, long expectedRows) {
    }

    /** Rows and uncompressed CSV bytes written so far. */
    default void tableProgress(QualifiedName table, long rows, long bytes) {
    }

    default void tableFinished(QualifiedName table, Manifest.TableEntry entry, long nanos) {
    }

    /** A phase of the dump ended (connect, catalog, a closure round, a table's copy ...): its wall time. */
    default void phase(String name, long nanos) {
    }

    /** A step of the dump (snapshot, locks, schema), for logs. */
    default void step(String message) {
    }

    /** Something the user should know even without --verbose (a standby that may cancel the dump's queries). */
    default void warning(String message) {
    }
}
