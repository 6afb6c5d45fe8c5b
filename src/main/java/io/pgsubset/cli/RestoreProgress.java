package io.pgsubset.cli;

import io.pgsubset.manifest.Manifest.TableEntry;
import io.pgsubset.restore.RestoreListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Restore progress on stderr: a progress bar over the data bytes on a terminal, one line per
 * table otherwise (logs, CI), nothing with --quiet.
 */
final class RestoreProgress implements RestoreListener {
    private final PrintWriter err;
    private final boolean bar;
    private final boolean quiet;
    private ProgressBar progress;

    private RestoreProgress(PrintWriter err, boolean bar, boolean quiet) {
        this.err = err;
        this.bar = bar;
        this.quiet = quiet;
    }

    /** With {@code quiet}, warnings only. */
    static RestoreListener forTerminal(PrintWriter err, boolean quiet) {
        return new RestoreProgress(err, !quiet && System.console() != null, quiet);
    }

    @Override
    public synchronized void step(String what) {
        if (!quiet) {
            err.println("pgsubset: " + what);
            err.flush();
        }
    }

    @Override
    public synchronized void warning(String what) {
        err.println("pgsubset: warning: " + what);
        err.flush();
    }

    @Override
    public synchronized void loadStarted(long tables, long bytes) {
        step("loading " + tables + " tables (" + io.pgsubset.sizes.ByteSize.pretty(bytes) + " of data files)");
        if (bar) {
            progress = new ProgressBarBuilder().setTaskName("restore").setInitialMax(Math.max(1, bytes))
                    .setUnit(" MB", 1 << 20).showSpeed().setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
        }
    }

    @Override
    public void progress(TableEntry table, long bytes) {
        ProgressBar p = progress;
        if (p != null) {
            p.stepBy(bytes);
        }
    }

    @Override
    public synchronized void tableDone(TableEntry table, long rows, long millis) {
        if (progress != null) {
            progress.setExtraMessage(" loaded " + table.schema() + "." + table.name());
        } else if (!quiet) {
            err.println(String.format(Locale.ROOT, "pgsubset: loaded %s.%s: %d rows in %.1f s", table.schema(),
                    table.name(), rows, millis / 1000.0));
            err.flush();
        }
    }

    @Override
    public synchronized void loadFinished() {
        if (progress != null) {
            progress.close();
            progress = null;
        }
    }
}
