package io.pgsubset.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * pgsubset in its own JVM ({@code java -cp <test class path> io.pgsubset.cli.Main ...}), for what an
 * in-process run cannot show: SIGKILL and SIGINT, file-size limits, the command lines of its child
 * processes. Output goes to files so a killed process leaves what it printed.
 */
public final class CliProcess implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private CliProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts pgsubset with {@code env} (plus PATH and HOME) as its whole environment. */
    public static CliProcess start(Map<String, String> env, List<String> args) {
        return start(env, args, "");
    }

    /**
     * Starts pgsubset through {@code bash -c}, with {@code shellPrefix} run first in that shell
     * (e.g. {@code "ulimit -f 64;"} to limit the size of every file it writes).
     */
    public static CliProcess start(Map<String, String> env, List<String> args, String shellPrefix) {
        List<String> java = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.pgsubset.cli.Main"));
        java.addAll(args);
        List<String> argv = new ArrayList<>(List.of("bash", "-c", shellPrefix + " exec \"$@\"", "pgsubset"));
        argv.addAll(java);
        try {
            Path dir = Files.createTempDirectory("pgsubset-cli-");
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Map<String, String> full = new HashMap<>();
            full.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            full.put("HOME", System.getProperty("java.io.tmpdir"));
            full.putAll(env);
            pb.environment().clear();
            pb.environment().putAll(full);
            return new CliProcess(pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the exit code; kills the process and fails if it takes longer than {@code timeout}. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree();
                throw new IllegalStateException("pgsubset did not finish within " + timeout + "\n" + err());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL to pgsubset and to its child processes (pg_dump), as a crash of the machine would. */
    public void killTree() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGKILL to the pgsubset JVM only, as the OOM killer or {@code kill -9} would do it; its
     * children (pg_dump) live on as orphans, so this waits for them to end on their own too.
     */
    public void kill() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
            for (ProcessHandle child : children) {
                child.onExit().get(60, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** SIGINT, as Ctrl-C in a terminal sends it to the JVM. */
    public void interrupt() {
        signal("INT");
    }

    /** SIGTERM, as a service manager or a plain {@code kill} sends it. */
    public void terminate() {
        signal("TERM");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The command lines of this process's live descendants (pg_dump, psql ...), NUL-separated argv joined by spaces. */
    public List<String> childCommandLines() {
        List<String> out = new ArrayList<>();
        process.descendants().forEach(h -> {
            try {
                byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline"));
                out.add(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim());
            } catch (IOException e) {
                // the child ended between listing and reading: nothing to sample
                return;
            }
        });
        return out;
    }

    public String out() {
        return read(stdout);
    }

    public String err() {
        return read(stderr);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            killTree();
        }
        PgCluster.deleteTree(stdout.getParent());
    }

    @Override
    public String toString() {
        return "pid " + pid() + (process.isAlive() ? " (running)" : " exit " + process.exitValue())
                + "\n--- stdout\n" + out() + "\n--- stderr\n" + err();
    }
}
