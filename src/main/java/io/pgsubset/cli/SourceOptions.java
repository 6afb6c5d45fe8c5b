package io.pgsubset.cli;

import io.pgsubset.copy.RateLimit;
import io.pgsubset.dump.DumpRequest;
import io.pgsubset.dump.PlanSource;
import io.pgsubset.dump.SourceLimits;
import io.pgsubset.dump.SourceSnapshot;
import io.pgsubset.error.UsageException;
import io.pgsubset.plan.PlanFile;
import io.pgsubset.plan.PlanLoader;
import io.pgsubset.plan.Plans;
import io.pgsubset.sizes.ByteSize;
import io.pgsubset.transform.TransformKey;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/** What {@code dump} and {@code clone} read from the source: the plan, the copy's jobs, locks, pg_dump, transforms. */
final class SourceOptions {
    @Option(names = "--plan", paramLabel = "PLAN.yaml",
            description = "The plan (see pgsubset plan init); without one, every table is dumped in full.")
    Path plan;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Copy with N connections at once (clone: N "
            + "source-target pairs), all on the same snapshot, largest tables first (dump: the full tables start "
            + "at once, while the subset is computed, and the connection that computed it copies the subset's "
            + "tables beside them); a table big enough to bound the copy is copied as block ranges in parallel "
            + "(PostgreSQL 14 or later; see --part-size). Default: 1.")
    int jobs = 1;

    @Option(names = "--part-size", paramLabel = "SIZE", description = "With --jobs, the size of the block ranges a "
            + "big table is split into, e.g. 64MB; 0 never splits. Default: 128MB.")
    String partSize;

    @Option(names = "--keep-owners", description = "Keep owners and privileges in the schema (default: left out).")
    boolean keepOwners;

    @Option(names = "--max-rows", paramLabel = "N",
            description = "Stop before writing anything when the closure selects more than N rows in sample and "
                    + "follow tables (overrides the plan's max_rows).")
    Long maxRows;

    @Option(names = "--lock-wait-timeout", paramLabel = "TIMEOUT",
            description = "Fail instead of waiting longer than this for a table lock, e.g. 30s (as pg_dump); also "
                    + "bounds pg_dump's and the --jobs workers' lock waits (default 10s for those).")
    String lockWaitTimeout;

    @Option(names = "--statement-timeout", paramLabel = "TIMEOUT",
            description = "Cancel a catalog or closure query that runs longer than this on the source, e.g. 5min "
                    + "(the copy itself is never timed). Default: none; the source's own statement_timeout, "
                    + "idle_in_transaction_session_timeout and transaction_timeout are turned off for the dump's "
                    + "sessions.")
    String statementTimeout;

    @Option(names = "--max-rate", paramLabel = "RATE",
            description = "Read the rows from the source at most this fast, in bytes per second for all jobs "
                    + "together, e.g. 50MB (or 50MB/s): a copy during business hours. Default: no limit.")
    String maxRate;

    @Option(names = "--pg-dump", paramLabel = "PATH",
            description = "The pg_dump to run (default: PGBIN, then PATH); at least the server's major version. "
                    + "pg_restore, which writes the schema sections from its archive, is taken from the same directory.")
    Path pgDump;

    @Option(names = "--salt-file", paramLabel = "FILE",
            description = "The secret that keys the plan's deterministic transforms (hash, email, name, digits, "
                    + "keep_length): the same salt gives the same pseudonyms on every dump. Default: the "
                    + TransformKey.SALT_VARIABLE + " environment variable, else a random key per dump. "
                    + "Never written to the dump. Refused when group or others can read or write it (chmod 600).")
    Path saltFile;

    @Option(names = "--accept-shared-salt-file",
            description = "Use a --salt-file that group or others can read or write (e.g. a secret shared by a team "
                    + "on purpose); without it such a file is refused.")
    boolean acceptSharedSaltFile;

    private String planText = PlanSource.EVERY_TABLE_FULL_YAML;

    /** Checks the flags and the plan (before connecting: a plan with mistakes fails at once, with every problem). */
    SourceSnapshot.Options options(CliContext ctx) {
        if (jobs < 1) {
            throw new UsageException("--jobs must be at least 1, got " + jobs);
        }
        if (maxRows != null && maxRows < 0) {
            throw new UsageException("--max-rows must not be negative, got " + maxRows);
        }
        long partBytes = partSize != null ? partBytes(partSize) : DumpRequest.DEFAULT_PART_BYTES;
        PlanSource planSource = PlanSource.everyTableFull();
        TransformKey transformKey = TransformKey.resolve(Optional.ofNullable(saltFile), acceptSharedSaltFile,
                ctx.env());
        if (plan != null) {
            PlanFile file = PlanLoader.load(plan);
            if (transformKey.isRandom() && !file.transforms().isEmpty()) {
                ctx.err().println("pgsubset: no --salt-file or " + TransformKey.SALT_VARIABLE + ": transforms use a "
                        + "random key, so a rerun gives different pseudonyms");
            }
            planText = readPlan(plan);
            planSource = (conn, catalog) -> Plans.resolve(conn, file, catalog).plan();
        }
        return new SourceSnapshot.Options(planSource, maxRows == null ? OptionalLong.empty() : OptionalLong.of(maxRows),
                Optional.ofNullable(lockWaitTimeout), keepOwners, transformKey, partBytes, limits());
    }

    /** What the source may be asked for (checked by the server when the dump connects). */
    SourceLimits limits() {
        return new SourceLimits(Optional.ofNullable(statementTimeout),
                maxRate == null ? RateLimit.NONE : RateLimit.of(rate(maxRate)));
    }

    private static long rate(String text) {
        String size = text.endsWith("/s") ? text.substring(0, text.length() - 2) : text;
        long bytes;
        try {
            bytes = ByteSize.parse(size);
        } catch (UsageException e) {
            throw new UsageException("--max-rate: " + e.getMessage(), e);
        }
        if (bytes < 1) {
            throw new UsageException("--max-rate must be at least 1 byte per second, got \"" + text + "\"");
        }
        return bytes;
    }

    /** The plan as given (after {@link #options}). */
    String planText() {
        return planText;
    }

    Optional<Path> pgDump() {
        return Optional.ofNullable(pgDump);
    }

    private static long partBytes(String text) {
        try {
            return ByteSize.parse(text);
        } catch (UsageException e) {
            throw new UsageException("--part-size: " + e.getMessage(), e);
        }
    }

    private static String readPlan(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("plan file " + path + " does not exist - check the --plan path");
        } catch (IOException e) {
            throw new UsageException("cannot read plan file " + path + ": " + e.getMessage(), e);
        }
    }

}
