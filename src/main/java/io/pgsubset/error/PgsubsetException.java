package io.pgsubset.error;

/**
 * The root of every failure pgsubset reports to a user. Its message is the one line the
 * user sees; the exit code says whether the user (2) or the environment (1) is at fault.
 */
public class PgsubsetException extends RuntimeException {
    public static final int RUNTIME = 1;
    public static final int USAGE = 2;

    private final int exitCode;

    public PgsubsetException(String message) {
        this(message, null);
    }

    public PgsubsetException(String message, Throwable cause) {
        this(message, cause, RUNTIME);
    }

    protected PgsubsetException(String message, Throwable cause, int exitCode) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
