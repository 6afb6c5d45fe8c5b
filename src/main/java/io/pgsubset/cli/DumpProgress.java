package io.pgsubset.cli;

import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.dump.DumpListener;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.sizes.ByteSize;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Dump progress on stderr: a line per finished table (logs, pipes), or bars on a terminal. */
abstract class DumpProgress implements DumpListener, AutoCloseable {
    /** Warnings go here even when the progress itself is silent. */
    private final PrintWriter warnings;

    DumpProgress(PrintWriter warnings) {
        this.warnings = warnings;
    }

    /** No progress; warnings still go to stderr. */
    static DumpProgress silent(CliContext ctx) {
        return new DumpProgress(ctx.err()) {
        };
    }

    static DumpProgress forStream(CliContext ctx) {
        // --verbose prints lines (steps, phase times) that bars would overwrite
        return ctx.errIsTerminal() && !ctx.verbose() ? new BarProgress(ctx.err())
                : new LineProgress(ctx.err(), ctx.verbose());
    }

    @Override
    public void warning(String message) {
        synchronized (warnings) {
            warnings.println("pgsubset: warning: " + message);
            warnings.flush();
        }
    }

    @Override
    public void close() {
    }

    /** One summary line per table, for logs and pipes. */
    static final class LineProgress extends DumpProgress {
        private final PrintWriter err;
        private final boolean verbose;
        private int total;
        private int done;

        LineProgress(PrintWriter err, boolean verbose) {
            super(err);
            this.err = err;
            this.verbose = verbose;
        }

        @Override
        public synchronized void copyingBeforeClosure(List<PlannedTable> tables) {
            total = tables.size();
            if (verbose && !tables.isEmpty()) {
                err.printf(Locale.ROOT, "pgsubset: copying %d full table%s while the subset is computed%n", total,
                        total == 1 ? "" : "s");
                err.flush();
            }
        }

        @Override
        public synchronized void planned(List<PlannedTable> tables) {
            total = tables.size();
            long rows = tables.stream().mapToLong(PlannedTable::rows).sum();
            err.printf(Locale.ROOT, "pgsubset: dumping %d tables (%d rows planned)%n", total, rows);
            err.flush();
        }

        @Override
        public synchronized void tableFinished(QualifiedName table, Manifest.TableEntry entry, long nanos) {
            done++;
            // no Formatter (it parsed the format on every call, 0.3 ms a table of the copy's own thread)
            // and no string concatenation (its call site links a bootstrap method on the first table)
            long tenths = Math.round(nanos / 1e8);
            StringBuilder line = new StringBuilder("pgsubset: [").append(done).append('/').append(total).append("] ")
                    .append(table.display()).append(": ").append(entry.rows()).append(" rows, ")
                    .append(ByteSize.pretty(entry.bytes())).append(" in ").append(tenths / 10).append('.')
                    .append(tenths % 10).append(" s");
            if (!entry.file().isEmpty()) {
                line.append(" -> ").append(entry.file());
            }
            err.println(line);
            err.flush();
        }

        @Override
        public synchronized void phase(String name, long nanos) {
            if (verbose) {
                err.printf(Locale.ROOT, "pgsubset: phase %s: %.3f s%n", name, nanos / 1e9);
                err.flush();
            }
        }

        @Override
        public synchronized void step(String message) {
            if (verbose) {
                err.println("pgsubset: " + message);
                err.flush();
            }
        }
    }

    /** On a terminal: a bar per table being copied (rows, bytes) and one for the whole dump with its ETA. */
    static final class BarProgress extends DumpProgress {
        private final java.util.Map<QualifiedName, me.tongfei.progressbar.ProgressBar> bars = new java.util.HashMap<>();
        private final java.util.Map<QualifiedName, Long> rowsNow = new java.util.HashMap<>();
        private me.tongfei.progressbar.ProgressBar overall;
        private long finishedRows;

        BarProgress(PrintWriter err) {
            super(err);
        }

        @Override
        public synchronized void planned(List<PlannedTable> tables) {
            long rows = tables.stream().mapToLong(PlannedTable::rows).sum();
            overall = new me.tongfei.progressbar.ProgressBarBuilder().setTaskName("dump (" + tables.size() + " tables)")
                    .setInitialMax(Math.max(1, rows)).setUnit(" rows", 1).showSpeed()
                    .setStyle(me.tongfei.progressbar.ProgressBarStyle.ASCII).build();
        }

        @Override
        public synchronized void tableStarted(QualifiedName table, long expectedRows) {
            bars.put(table, new me.tongfei.progressbar.ProgressBarBuilder().setTaskName(table.display())
                    .setInitialMax(Math.max(1, expectedRows)).setUnit(" rows", 1).clearDisplayOnFinish()
                    .setStyle(me.tongfei.progressbar.ProgressBarStyle.ASCII).build());
            rowsNow.put(table, 0L);
        }

        @Override
        public synchronized void tableProgress(QualifiedName table, long rows, long bytes) {
            me.tongfei.progressbar.ProgressBar bar = bars.get(table);
            if (bar != null) {
                if (rows > bar.getMax()) {
                    bar.maxHint(rows);
                }
                bar.stepTo(rows);
                bar.setExtraMessage(ByteSize.pretty(bytes));
            }
            rowsNow.put(table, rows);
            updateOverall();
        }

        @Override
        public synchronized void tableFinished(QualifiedName table, Manifest.TableEntry entry, long nanos) {
            me.tongfei.progressbar.ProgressBar bar = bars.remove(table);
            if (bar != null) {
                bar.close();
            }
            rowsNow.remove(table);
            finishedRows += entry.rows();
            updateOverall();
        }

        private void updateOverall() {
            if (overall == null) {
                return;
            }
            long rows = finishedRows + rowsNow.values().stream().mapToLong(Long::longValue).sum();
            if (rows > overall.getMax()) {
                overall.maxHint(rows);
            }
            overall.stepTo(rows);
        }

        @Override
        public synchronized void close() {
            bars.values().forEach(me.tongfei.progressbar.ProgressBar::close);
            bars.clear();
            if (overall != null) {
                overall.close();
            }
        }
    }
}
