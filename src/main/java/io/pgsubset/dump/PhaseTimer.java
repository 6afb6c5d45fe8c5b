package io.pgsubset.dump;

import io.pgsubset.manifest.Manifest;

import io.pgsubset.catalog.QualifiedName;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The wall time of each phase of one dump, in the order the phases ended: reported to the listener
 * as they end ({@code --verbose} prints them) and recorded in the manifest. It stands between the
 * copies and the caller's listener, so that every table's copy is a phase ({@code copy <table>});
 * with {@code --jobs} those overlap. Thread-safe.
 */
final class PhaseTimer implements DumpListener {
    private final DumpListener listener;
    private final List<Manifest.Phase> phases = new ArrayList<>();

    PhaseTimer(DumpListener listener) {
        this.listener = listener;
    }

    /** Runs one phase and records its time when it succeeds. */
    <T> T time(String name, Supplier<T> work) {
        long started = System.nanoTime();
        T result = work.get();
        record(name, System.nanoTime() - started);
        return result;
    }

    void time(String name, Runnable work) {
        time(name, () -> {
            work.run();
            return null;
        });
    }

    void record(String name, long nanos) {
        synchronized (phases) {
            phases.add(new Manifest.Phase(name, Math.round(nanos / 1e6) / 1e3));
        }
        listener.phase(name, nanos);
    }

    @Override
    public void copyingBeforeClosure(List<PlannedTable> tables) {
        listener.copyingBeforeClosure(tables);
    }

    @Override
    public void planned(List<PlannedTable> tables) {
        listener.planned(tables);
    }

    @Override
    public void tableStarted(QualifiedName table, long expectedRows) {
        listener.tableStarted(table, expectedRows);
    }

    @Override
    public void tableProgress(QualifiedName table, long rows, long bytes) {
        listener.tableProgress(table, rows, bytes);
    }

    @Override
    public void tableFinished(QualifiedName table, Manifest.TableEntry entry, long nanos) {
        listener.tableFinished(table, entry, nanos);
        record("copy " + table.display(), nanos);
    }

    @Override
    public void phase(String name, long nanos) {
        record(name, nanos);
    }

    @Override
    public void step(String message) {
        listener.step(message);
    }

    @Override
    public void warning(String message) {
        listener.warning(message);
    }

    List<Manifest.Phase> phases() {
        synchronized (phases) {
            return List.copyOf(phases);
        }
    }
}
