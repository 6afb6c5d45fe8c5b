package io.pgsubset.files;

import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A file a command writes at the user's -o: refused when it would lose something, replaced whole. */
public final class OutputFile {
    private OutputFile() {
    }

    /**
     * Refuses FILE before anything connects: an existing one unless {@code force} (it may hold the
     * user's work), one that is not a regular file, a missing parent directory. {@code noun} says
     * what replaces it ("script", "plan").
     */
    public static Path check(Path file, boolean force, String noun) {
        Path target = file.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UsageException("cannot write " + target + ": " + parent + " does not exist; create it first");
        }
        if (Files.exists(target)) {
            if (!force) {
                throw new UsageException(target + " already exists; choose another -o, or add --force to replace it "
                        + "once the new " + noun + " is complete");
            }
            if (!Files.isRegularFile(target)) {
                throw new UsageException(target + " exists and is not a regular file; refusing to replace it");
            }
        }
        return target;
    }

    /**
     * Writes {@code text} to a temporary file beside {@code target} and renames it over it: a
     * failure (a full disk) leaves the old file whole, and it is replaced only by a complete one.
     */
    public static void writeWhole(Path target, String text) {
        Path temp = null;
        try {
            temp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".", ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new PgsubsetException("could not write " + target + ": " + Messages.firstLine(e), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // a leftover hidden temporary file is all that remains of a failed write
                }
            }
        }
    }
}
