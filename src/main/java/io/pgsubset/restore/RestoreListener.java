package io.pgsubset.restore;

import io.pgsubset.database.TargetDatabase;
import io.pgsubset.manifest.Manifest.TableEntry;

/** What a restore reports while it runs; called from worker threads. */
public interface RestoreListener extends TargetDatabase.Listener {
    /** A step such as "pre-data schema" starts. */
    @Override
    void step(String what);

    /** Loading starts: {@code bytes} of data files in all. */
    void loadStarted(long tables, long bytes);

    /** {@code bytes} more bytes of a data file were sent. */
    void progress(TableEntry table, long bytes);

    void tableDone(TableEntry table, long rows, long millis);

    void loadFinished();

    RestoreListener QUIET = new RestoreListener() {
        @Override
        public void step(String what) {
        }

        @Override
        public void warning(String what) {
        }

        @Override
        public void loadStarted(long tables, long bytes) {
        }

        @Override
        public void progress(TableEntry table, long bytes) {
        }

        @Override
        public void tableDone(TableEntry table, long rows, long millis) {
        }

        @Override
        public void loadFinished() {
        }
    };
}
