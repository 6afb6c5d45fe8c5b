package io.pgsubset.cli;

import java.io.PrintWriter;
import java.util.Map;

/**
 * What a command may touch of the outside world: its output streams and environment. Injected
 * so tests run commands in-process with StringWriters and their own PG* variables.
 */
public final class CliContext {
    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, String> env;
    private boolean verbose;
    private boolean errIsTerminal;

    public CliContext(PrintWriter out, PrintWriter err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    public Map<String, String> env() {
        return env;
    }

    public boolean verbose() {
        return verbose;
    }

    void verbose(boolean on) {
        this.verbose = on;
    }

    /** Whether err is the process's stderr and that is a terminal: then progress may draw bars. */
    public boolean errIsTerminal() {
        return errIsTerminal;
    }

    void errIsTerminal(boolean on) {
        this.errIsTerminal = on;
    }
}
