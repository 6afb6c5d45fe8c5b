package io.pgsubset.error;

/** A bad flag, bad plan or refused request: the user must change what they asked for. Exit 2. */
public class UsageException extends PgsubsetException {
    public UsageException(String message) {
        super(message, null, USAGE);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause, USAGE);
    }
}
