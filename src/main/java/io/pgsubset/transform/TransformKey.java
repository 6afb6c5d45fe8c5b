package io.pgsubset.transform;

import io.pgsubset.error.UsageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The secret behind the deterministic transforms (hash, email, name, digits, keep_length). The
 * same salt gives the same pseudonyms on every dump, so reruns and joins across dumps agree;
 * without one every dump gets a random key. It comes from {@code --salt-file} or
 * {@code PGSUBSET_SALT}, never from the plan, and is never written to a dump: only the derived
 * seeds travel, inside the COPY query text, to the source server.
 */
public final class TransformKey {
    public static final String SALT_VARIABLE = "PGSUBSET_SALT";
    private static final String DERIVATION_LABEL = "pgsubset transform key v1\0";

    /** Null for a random key until first used: see {@link #random()}. */
    private byte[] material;
    private final boolean random;

    private TransformKey(byte[] material, boolean random) {
        this.material = material;
        this.random = random;
    }

    /** A key derived from a salt; the salt's bytes are hashed, so any length and content will do. */
    public static TransformKey fromSalt(byte[] salt) {
        if (salt.length == 0) {
            throw new UsageException("the transform salt is empty; give at least a few random bytes");
        }
        return new TransformKey(derive(salt), false);
    }

    /**
     * A key of its own, made when first used: most dumps transform nothing, and seeding
     * SecureRandom and finding SHA-256 (the security providers) took start-up time before the first
     * query.
     */
    public static TransformKey random() {
        return new TransformKey(null, true);
    }

    private synchronized byte[] material() {
        if (material == null) {
            byte[] salt = new byte[32];
            new SecureRandom().nextBytes(salt);
            material = derive(salt);
        }
        return material;
    }

    /**
     * The key a command uses: the salt file when given, else {@code PGSUBSET_SALT}, else a random
     * key. A salt file's trailing newline is not part of the salt, so {@code echo secret > f}
     * and {@code PGSUBSET_SALT=secret} agree. A salt file that group or others may read or write is
     * refused unless {@code acceptShared}, as libpq ignores such a {@code .pgpass}: whoever reads the
     * salt can recompute the pseudonyms of values they guess.
     */
    public static TransformKey resolve(Optional<Path> saltFile, boolean acceptShared, Map<String, String> env) {
        if (saltFile.isPresent()) {
            Path file = saltFile.get();
            try {
                if (!acceptShared) {
                    requireOwnerOnly(file);
                }
                return fromSalt(stripTrailingNewline(Files.readAllBytes(file)));
            } catch (IOException e) {
                throw new UsageException("--salt-file " + file + ": cannot read it (" + e.getMessage()
                        + "); give a readable file holding the secret salt", e);
            }
        }
        String fromEnv = env.get(SALT_VARIABLE);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromSalt(fromEnv.getBytes(StandardCharsets.UTF_8));
        }
        return random();
    }

    private static final Set<PosixFilePermission> SHARED = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private static void requireOwnerOnly(Path file) throws IOException {
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: there are no group and other bits to check
            return;
        }
        if (!Collections.disjoint(mode, SHARED)) {
            throw new UsageException("--salt-file " + file + " has group or others access ("
                    + PosixFilePermissions.toString(mode) + "): anyone who reads the salt can recompute the "
                    + "pseudonyms; run chmod 600 " + file + ", or add --accept-shared-salt-file to use it anyway");
        }
    }

    /** Whether this key was made up for one run (pseudonyms then differ between dumps). */
    public boolean isRandom() {
        return random;
    }

    /** The seed of the {@code i}th (0-based) independent 64-bit keyed hash. */
    long seed(int i) {
        return ByteBuffer.wrap(material(), 8 * i, 8).getLong();
    }

    /** Secret text appended to every hashed value, so the seed alone does not determine the hash. */
    String pepper() {
        return HexFormat.of().formatHex(material(), 16, 32);
    }

    private static byte[] derive(byte[] salt) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(DERIVATION_LABEL.getBytes(StandardCharsets.US_ASCII));
            sha.update(salt);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    private static byte[] stripTrailingNewline(byte[] bytes) {
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\n') {
            n--;
            if (n > 0 && bytes[n - 1] == '\r') {
                n--;
            }
        }
        return java.util.Arrays.copyOf(bytes, n);
    }

    /** Never the key: this object ends up in logs and exception messages by accident otherwise. */
    @Override
    public String toString() {
        return random ? "TransformKey(random)" : "TransformKey(from salt)";
    }
}
