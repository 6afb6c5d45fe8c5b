package io.pgsubset.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How long this process has run, the launcher and the JVM's own start-up included. On Linux it is
 * read from /proc, where the process's start and the clock both count from boot (in 10 ms steps):
 * {@link ProcessHandle.Info#startInstant} adds the boot time in whole seconds to the start, so its
 * answer is up to a second off, more than the whole start-up it is meant to show.
 */
final class ProcessAge {
    /** USER_HZ, the unit of /proc's start times: 100 on every Linux architecture in use. */
    private static final double TICKS_PER_SECOND = 100;

    private ProcessAge() {
    }

    static Optional<Long> nanos() {
        Optional<Long> fromProc = fromProc(Path.of("/proc"));
        if (fromProc.isPresent()) {
            return fromProc;
        }
        return ProcessHandle.current().info().startInstant()
                .map(start -> Duration.between(start, Instant.now()).toNanos());
    }

    /** From {@code proc}/self/stat's start time (field 22) and {@code proc}/uptime; empty when either is missing. */
    static Optional<Long> fromProc(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("self/stat"));
            String uptime = Files.readString(proc.resolve("uptime"));
            // the fields after the command name, which is in parentheses and may hold spaces: state is field 3
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double started = Long.parseLong(fields[22 - 3]) / TICKS_PER_SECOND;
            double now = Double.parseDouble(uptime.substring(0, uptime.indexOf(' ')));
            return Optional.of((long) ((now - started) * 1e9));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
