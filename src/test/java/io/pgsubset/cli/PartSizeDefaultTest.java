package io.pgsubset.cli;

import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.connect.ConnectionTarget;
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
 * Without --part-size a big table is split for --jobs only where the cores can serve both ends of
 * every copy: not when the server shares this machine's few cores; a given --part-size splits as
 * asked.
 */
class PartSizeDefaultTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private static long partBytes(String host, int jobs, String partSize) {
        SourceOptions source = new SourceOptions();
        source.jobs = jobs;
        source.partSize = partSize;
        Map<String, String> env = Map.of("PGHOST", host, "PGUSER", "u", "PGDATABASE", "d");
        CliContext ctx = new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), env);
        return source.options(ctx, ConnectionTarget.resolve(ConnectionOptions.none(), env)).partBytes();
    }

    @Test
    void aLocalServerWithFewerThanTwoCoresPerJobIsNotSplitUnlessAsked() {
        // as many jobs as cores: always fewer than two cores per job
        assertEquals(0, partBytes("/run/postgresql", CORES, null), "socket: same machine");
        assertEquals(0, partBytes("127.0.0.1", CORES, null), "loopback: same machine");
        assertEquals(0, partBytes("localhost", CORES, null));
        assertEquals(DumpRequest.DEFAULT_PART_BYTES, partBytes("db.example.com", CORES, null), "a remote server");
        assertEquals(64L << 20, partBytes("/run/postgresql", CORES, "64MB"), "an explicit --part-size is obeyed");
    }

    @Test
    void thePolicyCountsTwoCoresPerJobOnlyForALocalServer() {
        assertEquals(0, DumpRequest.defaultPartBytes(true, 2, 2));
        assertEquals(0, DumpRequest.defaultPartBytes(true, 2, 3));
        assertEquals(DumpRequest.DEFAULT_PART_BYTES, DumpRequest.defaultPartBytes(true, 2, 4));
        assertEquals(DumpRequest.DEFAULT_PART_BYTES, DumpRequest.defaultPartBytes(false, 2, 2));
        assertEquals(DumpRequest.DEFAULT_PART_BYTES, DumpRequest.defaultPartBytes(false, 8, 1));
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
