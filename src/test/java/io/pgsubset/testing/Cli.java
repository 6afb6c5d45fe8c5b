package io.pgsubset.testing;

import io.pgsubset.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs pgsubset in-process with captured output and an environment of the test's choosing. */
public final class Cli {
    private Cli() {
    }

    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    public static Result run(String... args) {
        return run(Map.of(), List.of(args));
    }

    /** Runs with only {@code env} as environment (plus HOME and PATH), so the host's PG* never leak in. */
    public static Result run(Map<String, String> env, List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> fullEnv = new HashMap<>();
        fullEnv.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        fullEnv.put("HOME", System.getProperty("java.io.tmpdir"));
        fullEnv.putAll(env);
        int code = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true),
                fullEnv);
        return new Result(code, out.toString(), err.toString());
    }

    /** {@code command} followed by the database's connection flags and {@code more}. */
    public static Result against(TestDatabase db, String command, String... more) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.addAll(db.connectionArgs());
        args.addAll(List.of(more));
        return run(Map.of(), args);
    }
}
