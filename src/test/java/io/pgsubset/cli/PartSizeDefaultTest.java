package io.pgsubset.cli;

import io.pgsubset.connect.Endpoint;
import io.pgsubset.dump.DumpRequest;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without --part-size a big table is split for --jobs into block ranges of 128MB wherever the
 * server runs (on this machine or not); a given --part-size splits as asked, 0 never.
 */
class PartSizeDefaultTest {
    private static long partBytes(String host, String partSize) {
        SourceOptions source = new SourceOptions();
        source.jobs = Runtime.getRuntime().availableProcessors();
        source.partSize = partSize;
        Map<String, String> env = Map.of("PGHOST", host, "PGUSER", "u", "PGDATABASE", "d");
        CliContext ctx = new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), env);
        return source.options(ctx).partBytes();
    }

    @Test
    void theDefaultSplitsWhereverTheServerRuns() {
        assertEquals(128L << 20, DumpRequest.DEFAULT_PART_BYTES);
        assertEquals(DumpRequest.DEFAULT_PART_BYTES, partBytes("/run/postgresql", null), "socket: same machine");
        assertEquals(DumpRequest.DEFAULT_PART_BYTES, partBytes("127.0.0.1", null), "loopback: same machine");
        assertEquals(DumpRequest.DEFAULT_PART_BYTES, partBytes("db.example.com", null), "a remote server");
    }

    @Test
    void aGivenPartSizeIsObeyed() {
        assertEquals(64L << 20, partBytes("/run/postgresql", "64MB"));
        assertEquals(0, partBytes("db.example.com", "0"), "0 never splits");
    }

    @Test
    void loopbackAndSocketsAreLocalOtherNamesAreNot() {
        assertTrue(new Endpoint("/tmp", 5432).isLocal());
        assertTrue(new Endpoint("127.0.0.2", 5432).isLocal());
        assertTrue(new Endpoint("::1", 5432).isLocal());
        assertTrue(new Endpoint("LocalHost", 5432).isLocal());
        assertFalse(new Endpoint("10.0.0.5", 5432).isLocal());
        assertFalse(new Endpoint("127.example.com", 5432).isLocal());
    }
}
