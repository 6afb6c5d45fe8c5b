package io.pgsubset.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Removing a directory tree that the tool itself wrote (a dump in progress, a work directory). */
public final class Trees {
    private Trees() {
    }

    /**
     * Removes {@code dir} and everything under it, as far as it can: a file that cannot be removed
     * (or a tree a concurrent writer changes meanwhile) is skipped, and the first such failure is
     * returned for the caller to retry or report. A missing tree is no failure.
     */
    public static Optional<IOException> delete(Path dir) {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dir)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e);
        } catch (UncheckedIOException e) {
            return Optional.of(e.getCause());
        }
        IOException first = null;
        for (Path p : all) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        return Optional.ofNullable(first);
    }
}
