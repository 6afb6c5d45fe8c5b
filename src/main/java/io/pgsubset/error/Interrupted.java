package io.pgsubset.error;

/** The user interrupted the run (SIGINT): exit 130 as shells expect. */
public class Interrupted extends PgsubsetException {
    public static final int EXIT_CODE = 130;

    public Interrupted(String message) {
        super(message, null, EXIT_CODE);
    }
}
