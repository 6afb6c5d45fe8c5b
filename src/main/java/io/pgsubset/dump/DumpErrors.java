package io.pgsubset.dump;

import io.pgsubset.error.Messages;

/** Turns driver and I/O failures into the one line a user reads. */
final class DumpErrors {
    private DumpErrors() {
    }

    /**
     * A file-system failure: one line naming the file and the cause, with the fix for the usual
     * ones (a full disk, a directory the user may not write).
     */
    static io.pgsubset.error.PgsubsetException io(String what, java.io.IOException e) {
        String cause = Messages.firstLine(e);
        if (e instanceof java.nio.file.AccessDeniedException || cause.contains("Permission denied")) {
            return new io.pgsubset.error.PgsubsetException(what + ": permission denied; choose an output directory "
                    + "you can write (-o)", e);
        }
        if (cause.contains("No space left on device") || cause.contains("Disk quota exceeded")) {
            return new io.pgsubset.error.PgsubsetException(what + ": no space left on the device; free space or "
                    + "choose another output directory (-o)", e);
        }
        return new io.pgsubset.error.PgsubsetException(what + ": " + cause, e);
    }
}
