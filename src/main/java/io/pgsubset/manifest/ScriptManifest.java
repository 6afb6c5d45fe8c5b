package io.pgsubset.manifest;

import io.pgsubset.error.UsageException;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * What verify needs of a {@code dump --format sql} script (plain or gzipped): its manifest, fenced
 * as comment lines at the end (rows and row digests are known only once the rows are written), and
 * its post-data section (the foreign keys the target must have). The fences carry a random token
 * that the script's first line names, so no value in a COPY block can pass for one.
 */
public final class ScriptManifest {
    public static final String MANIFEST = "manifest";
    public static final String PRE_DATA = "pre-data";
    public static final String POST_DATA = "post-data";
    private static final String FIRST = "-- pgsubset SQL dump; sections fenced by pgsubset:";
    private static final Pattern FIRST_LINE = Pattern.compile(Pattern.quote(FIRST) + "([0-9a-f]{32})");
    /** Lines to look through for the first line (a BOM or an editor's note may come before). */
    private static final int HEADER_LINES = 5;

    private ScriptManifest() {
    }

    /** The script's manifest and its post-data SQL. */
    public record Contents(Manifest manifest, String postData) {
    }

    /** The script's first line, naming its fence token. */
    public static String firstLine(String token) {
        return FIRST + token;
    }

    /** The comment line that opens or closes the section {@code name}. */
    public static String fence(String token, String name, boolean begin) {
        return "-- pgsubset:" + token + ":" + name + (begin ? " begin" : " end");
    }

    /** Reads a script written by {@code dump --format sql}; anything else is a usage error naming the file. */
    public static Contents read(Path file) {
        try (BufferedReader in = reader(file)) {
            String token = token(in).orElseThrow(() -> new UsageException(file + " is not a pgsubset SQL dump "
                    + "(its first line is not \"" + FIRST + "...\")"));
            Optional<String> post = Optional.empty();
            Optional<String> json = Optional.empty();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals(fence(token, POST_DATA, true))) {
                    post = Optional.of(section(in, fence(token, POST_DATA, false), false));
                } else if (line.equals(fence(token, MANIFEST, true))) {
                    json = Optional.of(section(in, fence(token, MANIFEST, false), true));
                }
            }
            if (json.isEmpty() || post.isEmpty()) {
                throw new UsageException(file + " ends before its manifest: the dump was cut or did not finish, "
                        + "and loading it commits nothing");
            }
            Manifest m = ManifestIO.mapper().readValue(json.get(), Manifest.class);
            if (m.formatVersion() != Manifest.FORMAT_VERSION) {
                throw new UsageException(file + ": manifest format " + m.formatVersion() + " is not supported by "
                        + "this pgsubset (it reads format " + Manifest.FORMAT_VERSION + ")");
            }
            return new Contents(m, post.get());
        } catch (NoSuchFileException e) {
            throw new UsageException(file + " does not exist", e);
        } catch (IOException e) {
            throw new UsageException("could not read " + file + ": " + e.getMessage().lines().findFirst().orElse(""),
                    e);
        }
    }

    /** Plain or gzipped, told by the gzip magic bytes. */
    private static BufferedReader reader(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        InputStream plain = gzip ? new GZIPInputStream(in, 1 << 16) : in;
        return new BufferedReader(new InputStreamReader(plain, StandardCharsets.UTF_8), 1 << 16);
    }

    private static Optional<String> token(BufferedReader in) throws IOException {
        for (int i = 0; i < HEADER_LINES; i++) {
            String line = in.readLine();
            if (line == null) {
                return Optional.empty();
            }
            Matcher m = FIRST_LINE.matcher(line);
            if (m.find()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    /** The lines up to {@code end}, without the comment marks when {@code commented}. */
    private static String section(BufferedReader in, String end, boolean commented) throws IOException {
        StringBuilder sb = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null && !line.equals(end)) {
            sb.append(commented && line.startsWith("-- ") ? line.substring(3) : line).append('\n');
        }
        if (line == null) {
            throw new IOException("the section before \"" + end + "\" is not closed: the file was cut");
        }
        return sb.toString();
    }
}
