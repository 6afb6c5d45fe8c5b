package io.pgsubset.dump;

import io.pgsubset.transform.TransformKey;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What to dump and how.
 *
 * @param plan            resolves the plan against the catalog read in the dump's snapshot
 * @param planText        the plan file as given, copied verbatim to plan.yaml
 * @param output          the dump directory; it must not exist unless {@code force}
 * @param jobs            parallel COPY connections, all on the dump's snapshot
 * @param maxRows         overrides the plan's {@code max_rows}
 * @param lockWaitTimeout how long to wait for each ACCESS SHARE lock ({@code lock_timeout} syntax)
 * @param toolVersion     recorded in the manifest
 * @param transformKey    keys the deterministic transforms; never written to the dump
 * @param partBytes       with jobs > 1, a table of at least this size that would bound the dump is copied as
 *                        block ranges of about this size at once (see TableSplits); 0 never splits
 * @param limits          what the dump may take from the source (statement timeout, copy rate)
 */
public record DumpRequest(PlanSource plan, String planText, Path output, int jobs, boolean compress,
                          boolean keepOwners, boolean force, OptionalLong maxRows, Optional<String> lockWaitTimeout,
                          String toolVersion, TransformKey transformKey, long partBytes,
                          SourceLimits limits) {
    /**
     * The default part size of a split table: big enough that starting a COPY is noise, small
     * enough that the parts appended at the very end (the dump's serial tail) are short. It holds
     * wherever the server runs: on 2 cores shared with a local server, the full plan with --jobs 2
     * took 7.85-8.18 s split against 8.39-8.86 s unsplit (6 interleaved runs each, 655 MB table,
     * shared_buffers 512MB), once each copy hashed and wrote its own chunks instead of handing them
     * to a writer thread of its own (before that, split 8.7 s against 6.6 s).
     */
    public static final long DEFAULT_PART_BYTES = 128L << 20;

    public DumpRequest {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(planText, "planText");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(transformKey, "transformKey");
        Objects.requireNonNull(limits, "limits");
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1");
        }
        if (maxRows.isPresent() && maxRows.getAsLong() < 0) {
            throw new IllegalArgumentException("maxRows must not be negative");
        }
        if (partBytes < 0) {
            throw new IllegalArgumentException("partBytes must not be negative");
        }
    }

    /** A request with the defaults: one job, plain CSV, no owners, no overwrite. */
    public static DumpRequest of(PlanSource plan, String planText, Path output) {
        return new DumpRequest(plan, planText, output, 1, false, false, false, OptionalLong.empty(),
                Optional.empty(), "development build", TransformKey.random(), DEFAULT_PART_BYTES, SourceLimits.none());
    }

    public DumpRequest withJobs(int n) {
        return new DumpRequest(plan, planText, output, n, compress, keepOwners, force, maxRows, lockWaitTimeout,
                toolVersion, transformKey, partBytes, limits);
    }

    public DumpRequest withCompress(boolean on) {
        return new DumpRequest(plan, planText, output, jobs, on, keepOwners, force, maxRows, lockWaitTimeout,
                toolVersion, transformKey, partBytes, limits);
    }

    /** The same request with the transforms keyed by {@code key} (a salt's key: pseudonyms stable across dumps). */
    public DumpRequest withTransformKey(TransformKey key) {
        return new DumpRequest(plan, planText, output, jobs, compress, keepOwners, force, maxRows, lockWaitTimeout,
                toolVersion, key, partBytes, limits);
    }

    /** The same request splitting tables at {@code bytes} (0: never). */
    public DumpRequest withPartBytes(long bytes) {
        return new DumpRequest(plan, planText, output, jobs, compress, keepOwners, force, maxRows, lockWaitTimeout,
                toolVersion, transformKey, bytes, limits);
    }

    /** The same request under {@code l}. */
    public DumpRequest withLimits(SourceLimits l) {
        return new DumpRequest(plan, planText, output, jobs, compress, keepOwners, force, maxRows, lockWaitTimeout,
                toolVersion, transformKey, partBytes, l);
    }

    public DumpRequest withForce(boolean on) {
        return new DumpRequest(plan, planText, output, jobs, compress, keepOwners, on, maxRows, lockWaitTimeout,
                toolVersion, transformKey, partBytes, limits);
    }
}
