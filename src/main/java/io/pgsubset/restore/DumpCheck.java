package io.pgsubset.restore;

import io.pgsubset.format.DumpLayout;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks a dump directory before anything touches a target: the manifest is there, every file it
 * needs exists, and every data file has the size and sha256 the manifest recorded.
 */
public final class DumpCheck {

    private DumpCheck() {
    }

    /** The manifest of a complete, undamaged dump; a usage error (exit 2) naming the first bad file otherwise. */
    public static Manifest check(Path dir) {
        Manifest manifest = checkFiles(dir);
        for (Manifest.TableEntry t : manifest.tables()) {
            Path file = dataFile(dir, t);
            String actual = sha256(file);
            if (!actual.equalsIgnoreCase(t.sha256())) {
                throw damaged(file, actual, t);
            }
        }
        return manifest;
    }

    /**
     * The manifest of a dump whose files are all there, without reading the data files: for a
     * restore that checks each file's sha256 as it streams it (and commits nothing unless all match).
     */
    public static Manifest checkFiles(Path dir) {
        Manifest manifest = ManifestIO.read(dir);
        for (String f : DumpLayout.SCHEMA_FILES) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new UsageException(dir.resolve(f) + " is missing: the dump is incomplete");
            }
        }
        for (Manifest.TableEntry t : manifest.tables()) {
            Path file = dataFile(dir, t);
            if (!Files.isRegularFile(file)) {
                throw new UsageException(file + " is missing: the dump is incomplete");
            }
        }
        return manifest;
    }

    /** The error for a data file whose content is not what the dump wrote (exit 2). */
    static UsageException damaged(Path file, String actual, Manifest.TableEntry t) {
        return new UsageException(file + ": sha256 " + actual + " differs from the manifest's " + t.sha256()
                + ": the file is damaged, truncated or was changed after the dump");
    }

    /** The data file of a table; a manifest path leaving the directory is refused. */
    public static Path dataFile(Path dir, Manifest.TableEntry t) {
        Path file = dir.resolve(t.file()).normalize();
        if (!file.startsWith(dir.normalize())) {
            throw new UsageException(dir.resolve(ManifestIO.FILE_NAME) + ": data file \"" + t.file()
                    + "\" of " + t.schema() + "." + t.name() + " lies outside the dump directory");
        }
        return file;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new PgsubsetException("could not read " + file + ": " + Messages.firstLine(e), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
