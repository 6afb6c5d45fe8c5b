package io.pgsubset.cli;

import picocli.AutoComplete;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The files the release tarball and the Debian package carry besides the jar, rendered by the
 * build ({@code ./mvnw package}) from the command model:
 * <pre>
 * OUT/man/man1/pgsubset*.1             manual pages (tarball)
 * OUT/deb/man1/pgsubset*.1.gz          the same, gzipped as Debian wants them
 * OUT/completion/pgsubset              bash completion; zsh loads it through bashcompinit
 * OUT/deb/changelog.gz                 the Debian package's changelog
 * </pre>
 * Usage: {@code ReleaseFiles OUT MAINTAINER}.
 */
public final class ReleaseFiles {
    private ReleaseFiles() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        String maintainer = args[1];
        PrintWriter nowhere = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        CommandLine root = Main.commandLine(new CliContext(nowhere, nowhere, Map.of()));
        String version = new Main.Version().getVersion()[0];
        Path man = Files.createDirectories(out.resolve("man/man1"));
        Path deb = Files.createDirectories(out.resolve("deb/man1"));
        for (CommandLine command : ManPage.commands(root)) {
            String page = new ManPage(command, version).render();
            String file = ManPage.pageName(command) + ".1";
            Files.writeString(man.resolve(file), page);
            Files.write(deb.resolve(file + ".gz"), gzip(page));
        }
        Path completion = Files.createDirectories(out.resolve("completion"));
        Files.writeString(completion.resolve("pgsubset"), withoutHashbang(AutoComplete.bash("pgsubset", root)));
        Files.write(out.resolve("deb/changelog.gz"), gzip(changelog(version, maintainer)));
    }

    /** A completion script is sourced, never run: bash-completion wants no #! line. */
    private static String withoutHashbang(String script) {
        return script.startsWith("#!") ? script.substring(script.indexOf('\n') + 1) : script;
    }

    /** A native package's changelog: one entry for the version built, naming its commit. */
    private static String changelog(String version, String maintainer) {
        String number = version.split(" ")[1];
        String date = ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT));
        return "pgsubset (" + number + ") unstable; urgency=medium\n\n"
                + "  * Built as " + version + ".\n\n"
                + " -- " + maintainer + "  " + date + "\n";
    }

    /**
     * gzip as {@code gzip -9n} writes it: best compression (flagged in the header, where Debian's
     * lintian looks), no file name and no time stamp, so the same page gives the same bytes.
     */
    static byte[] gzip(String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // magic, deflate, no flags, mtime 0, XFL 2 (best compression), OS 3 (Unix)
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3});
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(data);
        deflater.finish();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        CRC32 crc = new CRC32();
        crc.update(data);
        littleEndian(out, crc.getValue());
        littleEndian(out, data.length);
        return out.toByteArray();
    }

    private static void littleEndian(ByteArrayOutputStream out, long value) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }
}
