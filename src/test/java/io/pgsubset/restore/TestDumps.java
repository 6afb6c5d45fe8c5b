package io.pgsubset.restore;

import io.pgsubset.format.RestoreScript;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.TestDatabase;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Dumps made by {@code pgsubset dump} for restore tests, and a runner for their restore.sh. */
final class TestDumps {
    private TestDumps() {
    }

    /** A full dump of {@code db} by {@code pgsubset dump} (no plan: every table in full). */
    static Manifest dump(TestDatabase db, Path dir, boolean gzip) throws Exception {
        List<String> more = new ArrayList<>(List.of("-o", dir.toString(), "--quiet"));
        if (gzip) {
            more.add("--compress");
        }
        Cli.Result r = Cli.against(db, "dump", more.toArray(String[]::new));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("pgsubset dump failed: " + r);
        }
        return ManifestIO.read(dir);
    }

    /** Runs restore.sh of {@code dir} with {@code args}, the libpq environment of {@code env}. */
    static ProcessResult runScript(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("bash", dir.resolve(RestoreScript.FILE_NAME).toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("restore-out", ".txt");
        Path err = Files.createTempFile("restore-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        int code = pb.start().waitFor();
        ProcessResult r = new ProcessResult(code, Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    record ProcessResult(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }
}
