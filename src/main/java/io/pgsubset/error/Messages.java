package io.pgsubset.error;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

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
        if (e instanceof FileSystemException fse && fse.getReason() == null) {
            line += ": " + reason(fse);
        }
        if (e instanceof PSQLException pe && pe.getServerErrorMessage() != null) {
            ServerErrorMessage sem = pe.getServerErrorMessage();
            if (sem.getHint() != null) {
                line += " (hint: " + sem.getHint().lines().findFirst().orElse("") + ")";
            }
        }
        return line;
    }

    /**
     * What the system call said, which Java keeps only in the exception's type when it has no
     * reason: its message is then the bare path ("could not create /x/y: /x/y").
     */
    private static String reason(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        return e.getClass().getSimpleName();
    }

    /** The first line of a text, e.g. a program's error output; {@code fallback} when it has none. */
    public static String firstLine(String text, String fallback) {
        if (text == null) {
            return fallback;
        }
        return text.lines().filter(l -> !l.isBlank()).findFirst().map(String::strip).orElse(fallback);
    }
}
