package io.pgsubset.dump;

import io.pgsubset.manifest.RowDigest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The one data file of a table copied as several block ranges at once. Part 0 (with the CSV
 * header) streams straight into the data file; every later part into a temporary file beside it
 * in the partial dump directory. As soon as the parts before one are in the data file, the worker
 * that finished last appends it, continuing the sha256 over its bytes, and deletes it: the file is
 * the parts in block order, its sha256 is of its bytes in order, and at the end of the dump only
 * the last parts remain to append. The row digest of the file is the sum of the parts' digests.
 *
 * <p>With --compress every part is its own gzip member; concatenated members are one valid gzip
 * stream (gunzip, zcat and Java's GZIPInputStream read them all).
 */
final class SplitFile implements AutoCloseable {
    /** The whole file, once every part is appended. */
    record Totals(long rows, long bytes, String sha256, String rowDigest, long nanos) {
    }

    private final DataDump.Job job;
    private final List<BlockRange> ranges;
    private final Path file;
    private final boolean gzip;
    private final DumpListener listener;
    private final FileOutput target;
    private final long[] partRows;
    private final long[] partBytes;
    private final String[] partDigests;
    private final boolean[] done;
    private int appended;
    private boolean appending;
    private boolean started;
    private long startedNanos;
    private boolean complete;

    private SplitFile(DataDump.Job job, List<BlockRange> ranges, Path file, boolean gzip, DumpListener listener,
                      FileOutput target) {
        this.job = job;
        this.ranges = List.copyOf(ranges);
        this.file = file;
        this.gzip = gzip;
        this.listener = listener;
        this.target = target;
        this.partRows = new long[ranges.size()];
        this.partBytes = new long[ranges.size()];
        this.partDigests = new String[ranges.size()];
        this.done = new boolean[ranges.size()];
    }

    /** Creates the data file; the parts' temporary files are created when their COPY starts. */
    static SplitFile create(DataDump.Job job, List<BlockRange> ranges, Path dir, boolean gzip, DumpListener listener) {
        Path file = dir.resolve(job.file());
        try {
            return new SplitFile(job, ranges, file, gzip, listener, FileOutput.dataFile(file));
        } catch (IOException e) {
            throw DumpErrors.io("could not create " + file, e);
        }
    }

    DataDump.Job job() {
        return job;
    }

    int parts() {
        return ranges.size();
    }

    BlockRange range(int part) {
        return ranges.get(part);
    }

    Path file() {
        return file;
    }

    /** Where part {@code part} is written: the data file itself for part 0, else its temporary file. */
    Path partPath(int part) {
        return part == 0 ? file : file.resolveSibling(file.getFileName() + ".part" + part);
    }

    /** The sink of one part; the caller closes it before {@link #partDone}. */
    DataFileSink sink(int part) throws IOException {
        if (part == 0) {
            return new DataFileSink(target, true, gzip, false);
        }
        return new DataFileSink(FileOutput.temporary(partPath(part)), false, gzip, true);
    }

    /** The table's progress starts with its first part, whichever worker takes it. */
    synchronized void started() {
        if (!started) {
            started = true;
            startedNanos = System.nanoTime();
            listener.tableStarted(job.table().name(), job.subset().rows());
        }
    }

    /** Rows and CSV bytes of one part so far; the listener sees the table's sums. */
    synchronized void progress(int part, long rows, long bytes) {
        partRows[part] = rows;
        partBytes[part] = bytes;
        long r = 0;
        long b = 0;
        for (int i = 0; i < partRows.length; i++) {
            r += partRows[i];
            b += partBytes[i];
        }
        listener.tableProgress(job.table().name(), r, b);
    }

    /**
     * Records a finished part (its sink closed) and appends every part that can now follow the
     * file's end. Only one thread appends at a time; a part finishing meanwhile is picked up by
     * that thread before it lets go. Returns the totals to the thread that completed the file.
     */
    Optional<Totals> partDone(int part, long rows, String rowDigest) throws IOException {
        synchronized (this) {
            partRows[part] = rows;
            partDigests[part] = rowDigest;
            done[part] = true;
            if (appending) {
                return Optional.empty();
            }
            appending = true;
        }
        boolean released = false;
        try {
            while (true) {
                int next;
                synchronized (this) {
                    next = appended;
                    if (next == done.length || !done[next]) {
                        appending = false;
                        released = true;
                        return next == done.length ? Optional.of(finish()) : Optional.empty();
                    }
                }
                if (next > 0) {
                    Path tmp = partPath(next);
                    target.append(tmp);
                    Files.delete(tmp);
                }
                synchronized (this) {
                    appended++;
                }
            }
        } finally {
            if (!released) {
                synchronized (this) {
                    appending = false;
                }
            }
        }
    }

    /** Called once, by the thread that appended the last part, holding the lock. */
    private Totals finish() throws IOException {
        complete = true;
        target.close();
        long rows = 0;
        String digest = partDigests[0];
        for (int i = 0; i < partRows.length; i++) {
            rows += partRows[i];
            if (i > 0) {
                digest = RowDigest.combine(digest, partDigests[i]);
            }
        }
        return new Totals(rows, target.bytes(), target.sha256(), digest, System.nanoTime() - startedNanos);
    }

    /** After a failure: closes the data file (the partial directory and its temporary files go with the dump). */
    @Override
    public synchronized void close() {
        if (!complete) {
            target.closeQuietly();
        }
    }
}
