package io.pgsubset.files;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories of a dump: production rows, so readable by their owner only, whatever the
 * umask (as pg_dump's directory format and libpq's .pgpass check have it). The mode is given to
 * the system call that creates the file, so no file ever exists with wider rights, not even for
 * the moment a chmod would take. A file a child program writes (pg_dump, pg_restore) is made here
 * first, for the same reason: the program truncates it and keeps its mode.
 */
public final class OwnerOnly {
    /** rw-------: data files, schema files, manifest. */
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    /** rwx------: directories, and restore.sh. */
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private static final Set<OpenOption> WRITE = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);

    private OwnerOnly() {
    }

    /** Creates {@code dir} (its parent must exist) with mode 0700. */
    public static Path createDirectory(Path dir) throws IOException {
        return Files.createDirectory(dir, attribute(DIRECTORY));
    }

    /** A new directory under the system's temporary directory, mode 0700 (where POSIX modes exist). */
    public static Path createTempDirectory(String prefix) throws IOException {
        try {
            return Files.createTempDirectory(prefix, attribute(DIRECTORY));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createTempDirectory(prefix);
        }
    }

    /**
     * Opens {@code file} for writing from its start, creating it with mode 0600 (a file that already
     * exists keeps its mode: within a dump's own 0700 directory only the dump creates files).
     */
    public static FileChannel newChannel(Path file) throws IOException {
        return FileChannel.open(file, WRITE, attribute(FILE));
    }

    /** An unbuffered stream over {@link #newChannel}. */
    public static OutputStream newOutputStream(Path file) throws IOException {
        return Channels.newOutputStream(newChannel(file));
    }

    /** A UTF-8 writer over {@link #newChannel}, buffered. */
    public static Writer newWriter(Path file) throws IOException {
        return new BufferedWriter(new OutputStreamWriter(newOutputStream(file), StandardCharsets.UTF_8));
    }

    /** Writes {@code text} as UTF-8 into a 0600 file. */
    public static void writeString(Path file, String text) throws IOException {
        try (OutputStream out = newOutputStream(file)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Writes {@code text} as UTF-8 into a 0700 file: a script only its owner can read or run. */
    public static void writeScript(Path file, String text) throws IOException {
        try (OutputStream out = Channels.newOutputStream(FileChannel.open(file, WRITE, attribute(DIRECTORY)))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> mode) {
        return PosixFilePermissions.asFileAttribute(mode);
    }
}
