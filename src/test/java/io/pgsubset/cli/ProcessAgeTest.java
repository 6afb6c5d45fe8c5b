package io.pgsubset.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dump's "start-up" phase: the process's age to within /proc's 10 ms steps, not to a second. */
class ProcessAgeTest {
    @Test
    void theAgeOfThisProcessIsTheJvmsUptimeAndTheLaunchBeforeIt() {
        long jvmMillis = ManagementFactory.getRuntimeMXBean().getUptime();
        long ageMillis = ProcessAge.nanos().orElseThrow() / 1_000_000;
        // the process started before the JVM counted (exec, the launcher), by milliseconds here
        assertTrue(ageMillis >= jvmMillis - 20 && ageMillis <= jvmMillis + 150,
                "process age " + ageMillis + " ms against the JVM's uptime " + jvmMillis + " ms");
    }

    @Test
    void startTimeAndUptimeAreReadFromProcAsTheKernelWritesThem(@TempDir Path proc) throws Exception {
        Files.createDirectories(proc.resolve("self"));
        // a command name with spaces and a parenthesis; starttime (field 22) is 123456 ticks
        Files.writeString(proc.resolve("self/stat"), "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 10 0 0 0 5 3 0 0"
                + " 20 0 12 0 123456 1000 100 18446744073709551615\n");
        Files.writeString(proc.resolve("uptime"), "1236.06 2000.00\n");
        assertEquals(Optional.of(1_500_000_000L), ProcessAge.fromProc(proc).map(n -> Math.round(n / 1e6) * 1_000_000));
        assertEquals(Optional.empty(), ProcessAge.fromProc(proc.resolve("absent")));
    }
}
