package io.pgsubset.dump;

import io.pgsubset.copy.Sink;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.RowDigest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The one data file of a table copied as several block ranges at once: the parts in block order,
 * its sha256 of those bytes in order, its row digest the sum of the parts' digests.
 *
 * <p>Part 0 (with the CSV header) streams straight into the data file. A later part starts in a
 * temporary file beside it in the partial dump directory; as soon as every part before it is in
 * the data file, the part's own writer appends what it wrote so far (continuing the sha256) and
 * goes on writing into the data file directly ("promotion"). A part that finishes before its turn
 * stays in its temporary file, which the thread that completes the parts before it appends. So
 * with parts taken in order, most bytes are written once, and the dump ends with almost nothing
 * left to append.
 *
 * <p>With --compress every part is its own gzip member; concatenated members are one valid gzip
 * stream (gunzip, zcat and Java's GZIPInputStream read them all).
 */
final class SplitFile implements TableCopier.Destination<SnapshotSession, Manifest.TableEntry> {
    /** The whole file, once every part is appended. */
    record Totals(long rows, long bytes, String sha256, String rowDigest, long nanos) {
    }

    private final DataDump.Job job;
    private final SelectList select;
    private final Path file;
    private final DataFileSink.Options files;
    private final DumpListener listener;
    private final FileOutput target;
    private final long[] partRows;
    private final String[] partDigests;
    private final boolean[] done;
    private final boolean[] promoted;
    /** Where a promoted part's bytes begin in the data file, to cut them off when it is copied again. */
    private final FileOutput.Mark[] marks;
    /** The part's sink was opened before: a new one is a retry after a lost connection. */
    private final boolean[] tried;
    /** Parts wholly in the data file; part {@code appended} may be writing into it (promoted). */
    private volatile int appended;
    /** Someone is appending a temporary file to the data file. */
    private boolean appending;
    private long nanos;
    private boolean complete;

    private SplitFile(DataDump.Job job, SelectList select, int parts, Path file, DataFileSink.Options files,
                      DumpListener listener, FileOutput target) {
        this.job = job;
        this.select = select;
        this.file = file;
        this.files = files;
        this.listener = listener;
        this.target = target;
        this.partRows = new long[parts];
        this.partDigests = new String[parts];
        this.done = new boolean[parts];
        this.promoted = new boolean[parts];
        this.marks = new FileOutput.Mark[parts];
        this.tried = new boolean[parts];
        promoted[0] = true;
    }

    /** Creates the data file; the parts' temporary files are created when their COPY starts. */
    static SplitFile create(DataDump.Job job, SelectList select, int parts, Path dir, DataFileSink.Options files,
                            DumpListener listener, DataSyncs syncs) {
        Path file = dir.resolve(job.file());
        try {
            SplitFile split = new SplitFile(job, select, parts, file, files, listener,
                    FileOutput.dataFile(file, syncs));
            split.marks[0] = split.target.mark();
            return split;
        } catch (IOException e) {
            throw DumpErrors.io("could not create " + file, e);
        }
    }

    /** Where part {@code part} is written: the data file itself for part 0, else its temporary file. */
    Path partPath(int part) {
        return part == 0 ? file : file.resolveSibling(file.getFileName() + ".part" + part);
    }

    /**
     * The sink of one part (part 0 with the CSV header); finished before {@link #arrived}. A part
     * copied again (its connection was lost) starts over: a promoted part's bytes are cut off the
     * data file, a temporary file is written anew.
     */
    @Override
    public Sink open(SnapshotSession lane, int part) {
        try {
            boolean live;
            synchronized (this) {
                live = promoted[part];
                if (tried[part] && live) {
                    target.rewind(marks[part]);
                }
                tried[part] = true;
            }
            FileOutput temp = live ? null : FileOutput.temporary(partPath(part));
            return new DataFileSink(new PartOutput(part, temp), part == 0, files);
        } catch (IOException e) {
            throw DumpErrors.io("could not create " + partPath(part), e);
        }
    }

    @Override
    public Optional<Manifest.TableEntry> arrived(int part, Sink.Arrived arrived, long csvBytes, long nanos) {
        try {
            return partDone(part, arrived.rows(), arrived.rowDigest(), nanos)
                    .map(totals -> DataDump.finished(listener, job, select, totals));
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + file, e);
        }
    }

    @Override
    public RuntimeException failed(int part, IOException e) {
        return DumpErrors.io("could not write " + partPath(part), e);
    }

    /**
     * Records a finished part (its sink closed) and appends every part that can now follow the
     * file's end. Only one thread appends at a time; a part finishing meanwhile is picked up by
     * that thread before it lets go. Returns the totals to the thread that completed the file.
     */
    Optional<Totals> partDone(int part, long rows, String rowDigest, long partNanos) throws IOException {
        synchronized (this) {
            nanos = Math.max(nanos, partNanos);
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
                boolean inTemporaryFile;
                synchronized (this) {
                    next = appended;
                    if (next == done.length || !done[next]) {
                        appending = false;
                        released = true;
                        return next == done.length ? Optional.of(finish()) : Optional.empty();
                    }
                    inTemporaryFile = !promoted[next];
                }
                if (inTemporaryFile) {
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
        return new Totals(rows, target.bytes(), target.sha256(), digest, nanos);
    }

    /**
     * Part {@code part}'s turn has come if every part before it is in the data file and nobody is
     * appending: then it claims the data file (its writer appends its temporary file and continues
     * there). Called from the part's writer thread between writes.
     */
    private boolean claimTurn(int part) {
        if (appended != part) {
            return false;
        }
        synchronized (this) {
            if (appended != part || appending || done[part]) {
                return false;
            }
            appending = true;
            return true;
        }
    }

    private synchronized void turnTaken(int part, boolean ok) {
        promoted[part] = ok;
        appending = false;
    }

    /**
     * Where one part's (compressed) bytes go: its temporary file, until its turn comes, then the
     * data file. Only the part's writer thread uses it.
     */
    private final class PartOutput extends SinkOutput {
        private final int part;
        private final FileOutput temp;
        private boolean live;
        private boolean closed;

        /** @param temp the temporary file, or null for part 0, which writes into the data file from the start */
        PartOutput(int part, FileOutput temp) {
            this.part = part;
            this.temp = temp;
            this.live = temp == null;
        }

        private OutputStream current() throws IOException {
            if (!live && claimTurn(part)) {
                boolean ok = false;
                try {
                    temp.close();
                    marks[part] = target.mark();
                    target.append(temp.path());
                    Files.delete(temp.path());
                    ok = true;
                } finally {
                    live = ok;
                    turnTaken(part, ok);
                }
            }
            return live ? target : temp;
        }

        @Override
        public void write(int b) throws IOException {
            current().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            current().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            (live ? target : temp).flush();
        }

        /** The data file stays open for the parts after this one; a temporary file is closed. */
        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (live) {
                target.flush();
            } else {
                temp.close();
            }
        }

        @Override
        void closeQuietly() {
            closed = true;
            if (temp != null) {
                temp.closeQuietly();
            }
        }
    }

    /** After a failure: closes the data file (the partial directory and its temporary files go with the dump). */
    @Override
    public synchronized void release() {
        if (!complete) {
            target.closeQuietly();
        }
    }
}
