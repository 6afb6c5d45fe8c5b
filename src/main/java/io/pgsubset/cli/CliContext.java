package io.pgsubset.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;

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
    private Preconnect preconnect = Preconnect.none();

    private final Optional<OutputStream> stdout;

    public CliContext(PrintWriter out, PrintWriter err, Map<String, String> env) {
        this(out, err, env, Optional.empty());
    }

    /** @param stdout the bytes behind {@code out}, for output that is not text of ours (a dump to stdout) */
    CliContext(PrintWriter out, PrintWriter err, Map<String, String> env, Optional<OutputStream> stdout) {
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.stdout = stdout;
    }

    /** Standard output as bytes, when the caller gave them (the process's own stdout does). */
    public Optional<OutputStream> stdout() {
        return stdout;
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

    /** The source connection being opened ahead, if any (see {@link Preconnect}). */
    Preconnect preconnect() {
        return preconnect;
    }

    void preconnect(Preconnect opening) {
        this.preconnect = opening;
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
