package io.pgsubset.error;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The one line of a failure a user reads: a server's message can span lines (DETAIL, WHERE,
 * "Position: ..."), an I/O error can carry a stack of causes; the README promises one line.
 */
public final class Messages {
    private Messages() {
    }

    /** The first line of the message, with the server's hint when it gave one; the class name if there is no message. */
    public static String firstLine(Throwable e) {
        String msg = e.getMessage();
        if (msg == null || msg.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String line = msg.lines().filter(l -> !l.isBlank()).findFirst().orElse(msg).strip();
        if (e instanceof PSQLException pe && pe.getServerErrorMessage() != null) {
            ServerErrorMessage sem = pe.getServerErrorMessage();
            if (sem.getHint() != null) {
                line += " (hint: " + sem.getHint().lines().findFirst().orElse("") + ")";
            }
        }
        return line;
    }

    /** The first line of a text, e.g. a program's error output; {@code fallback} when it has none. */
    public static String firstLine(String text, String fallback) {
        if (text == null) {
            return fallback;
        }
        return text.lines().filter(l -> !l.isBlank()).findFirst().map(String::strip).orElse(fallback);
    }
}
