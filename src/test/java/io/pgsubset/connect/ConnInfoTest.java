package io.pgsubset.connect;

import io.pgsubset.error.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How flags, -d, service files and PG* variables combine: libpq's rules, without a server. */
class ConnInfoTest {
    @TempDir
    Path home;

    @Test
    void parsesUrisWithEncodedPartsAndParameters() {
        Map<String, String> m = ConnInfo.parse("postgresql://us%40er:p%3Ass@db.example.com:6543/my%20db?sslmode=require");
        assertEquals("us@er", m.get("user"));
        assertEquals("p:ss", m.get("password"));
        assertEquals("db.example.com", m.get("host"));
        assertEquals("6543", m.get("port"));
        assertEquals("my db", m.get("dbname"));
        assertEquals("require", m.get("sslmode"));
    }

    @Test
    void parsesKeywordStringsWithQuotes() {
        Map<String, String> m = ConnInfo.parse("host=h1 port=5433 dbname='my \\'db\\'' user=bob");
        assertEquals("h1", m.get("host"));
        assertEquals("my 'db'", m.get("dbname"));
        assertEquals("bob", m.get("user"));
    }

    @Test
    void connectionStringInDbnameWinsOverFlagsWhichWinOverTheEnvironment() {
        // psql -h flaghost -d 'postgresql://u@urihost:7000/db': libpq expands -d after -h, -p and -U
        ConnectionTarget t = resolve(options("flaghost", null, "postgresql://u@urihost:7000/db"),
                Map.of("PGHOST", "envhost", "PGPORT", "9999", "PGUSER", "envuser"));
        assertEquals(List.of(new Endpoint("urihost", 7000)), t.endpoints());
        assertEquals("u", t.user());
        assertEquals("db", t.dbname());

        ConnectionTarget flags = resolve(options("flaghost", null, "plain_db"),
                Map.of("PGHOST", "envhost", "PGPORT", "9999", "PGUSER", "envuser"));
        assertEquals(List.of(new Endpoint("flaghost", 9999)), flags.endpoints());
        assertEquals("envuser", flags.user());
        assertEquals("plain_db", flags.dbname());
    }

    @Test
    void aHostStartingWithSlashIsASocketDirectoryWhereverItIsGiven() {
        Endpoint byFlag = resolve(options("/run/pg", null, null), Map.of("PGPORT", "5433")).endpoints().get(0);
        assertTrue(byFlag.isSocket());
        assertEquals(Path.of("/run/pg/.s.PGSQL.5433"), byFlag.socketPath());
        assertEquals("socket \"/run/pg/.s.PGSQL.5433\"", byFlag.toString());
        assertEquals(byFlag, resolve(options(null, null, null), Map.of("PGHOST", "/run/pg", "PGPORT", "5433"))
                .endpoints().get(0));
        assertEquals(byFlag, resolve(options(null, null, "host=/run/pg port=5433 dbname=x"), Map.of())
                .endpoints().get(0));
        assertEquals(byFlag, resolve(options(null, null, "postgresql:///x?host=/run/pg&port=5433"), Map.of())
                .endpoints().get(0));
        assertEquals(byFlag, resolve(options(null, null, "postgresql://%2Frun%2Fpg:5433/x"), Map.of())
                .endpoints().get(0));
        ConnectionTarget t = resolve(options("/run/pg", null, null), Map.of());
        assertEquals("/run/pg", t.childEnvironment().get("PGHOST"));
    }

    @Test
    void withoutAHostALocalSocketIsTriedBeforeLocalhost() {
        // no server listens on port 1 in a default socket directory, so libpq's fallback is TCP
        assertEquals(List.of(new Endpoint("localhost", 1)), resolve(options(null, 1, null), Map.of()).endpoints());
    }

    @Test
    void hostListsPairWithOnePortOrOnePortEach() {
        ConnectionTarget shared = resolve(options(null, null, "host=a,/run/pg,c port=6000 target_session_attrs=standby"),
                Map.of());
        assertEquals(List.of(new Endpoint("a", 6000), new Endpoint("/run/pg", 6000), new Endpoint("c", 6000)),
                shared.endpoints());
        assertEquals(SessionAttrs.STANDBY, shared.sessionAttrs());
        assertEquals("a,/run/pg,c", shared.childEnvironment().get("PGHOST"));
        assertEquals("standby", shared.childEnvironment().get("PGTARGETSESSIONATTRS"));

        ConnectionTarget each = resolve(options(null, null, "postgresql://a:6001,b,[::1]:6003/db"), Map.of());
        assertEquals(List.of(new Endpoint("a", 6001), new Endpoint("b", 5432), new Endpoint("::1", 6003)),
                each.endpoints());

        UsageException e = assertThrows(UsageException.class,
                () -> resolve(options(null, null, "host=a,b,c port=1,2"), Map.of()));
        assertEquals("could not match 2 port numbers to 3 hosts", e.getMessage());
        assertThrows(UsageException.class,
                () -> resolve(options(null, null, "host=a target_session_attrs=replica"), Map.of()));
    }

    @Test
    void applicationNameDefaultsToPgsubsetAndFollowsPgappname() {
        assertEquals("pgsubset", resolve(options(null, null, null), Map.of()).applicationName());
        assertEquals("nightly", resolve(options(null, null, null), Map.of("PGAPPNAME", "nightly")).applicationName());
        ConnectionTarget t = resolve(options(null, null, "application_name=x"), Map.of("PGAPPNAME", "nightly"));
        assertEquals("x", t.applicationName());
        assertEquals("x", t.childEnvironment().get("PGAPPNAME"));
    }

    @Test
    void connectTimeoutAndOptionsReachTheChildren() {
        Map<String, String> env = resolve(options(null, null, "options='-c work_mem=64MB'"),
                Map.of("PGCONNECT_TIMEOUT", "3")).childEnvironment();
        assertEquals("3", env.get("PGCONNECT_TIMEOUT"));
        assertEquals("-c work_mem=64MB", env.get("PGOPTIONS"));
        assertThrows(UsageException.class, () -> resolve(options(null, null, null), Map.of("PGCONNECT_TIMEOUT", "soon")));
    }

    @Test
    void serviceFillsWhatIsNotExplicitAndWinsOverTheEnvironment() throws IOException {
        Files.writeString(home.resolve(".pg_service.conf"), """
                # the reporting replica
                [report]
                host=svchost
                port=6432
                user=svcuser
                dbname=svcdb
                application_name=from-service

                [other]
                host=elsewhere
                """);
        Map<String, String> env = Map.of("HOME", home.toString(), "PGHOST", "envhost", "PGUSER", "envuser",
                "PGDATABASE", "envdb");
        ConnectionTarget t = resolve(options(null, null, "service=report user=alice"), env);
        assertEquals(List.of(new Endpoint("svchost", 6432)), t.endpoints());
        assertEquals("alice", t.user());
        assertEquals("svcdb", t.dbname());
        assertEquals("from-service", t.applicationName());

        ConnectionTarget byVariable = resolve(options("flaghost", null, null), with(env, "PGSERVICE", "report"));
        assertEquals(List.of(new Endpoint("flaghost", 6432)), byVariable.endpoints());
        assertEquals("svcuser", byVariable.user());
        assertFalse(byVariable.childEnvironment().containsKey("PGSERVICE"), "children get the resolved values");
    }

    @Test
    void userServiceFileComesFirstAndTheSystemFileOnlyWhenItLacksTheService() throws IOException {
        Path sys = Files.createDirectories(home.resolve("etc"));
        Files.writeString(sys.resolve("pg_service.conf"), "[a]\nhost=sys-a\n[b]\nhost=sys-b\n");
        Path user = home.resolve("mine.conf");
        Files.writeString(user, "[a]\nhost=user-a\n");
        Map<String, String> env = Map.of("HOME", home.toString(), "PGSERVICEFILE", user.toString(),
                "PGSYSCONFDIR", sys.toString());
        assertEquals("user-a", resolve(options(null, null, "service=a"), env).endpoints().get(0).host());
        assertEquals("sys-b", resolve(options(null, null, "service=b"), env).endpoints().get(0).host());
        UsageException missing = assertThrows(UsageException.class,
                () -> resolve(options(null, null, "service=c"), env));
        assertTrue(missing.getMessage().startsWith("definition of service \"c\" not found (searched " + user),
                missing.getMessage());
    }

    @Test
    void brokenServiceFilesNameFileAndLine() throws IOException {
        Path file = home.resolve("svc.conf");
        Files.writeString(file, "[s]\nhost=h\nsslcompression=1\n");
        Map<String, String> env = Map.of("PGSERVICEFILE", file.toString(), "PGSERVICE", "s");
        UsageException e = assertThrows(UsageException.class, () -> resolve(options(null, null, null), env));
        assertEquals("service file " + file + ", line 3: unsupported connection parameter \"sslcompression\"",
                e.getMessage());
        Files.writeString(file, "[s]\nservice=t\n");
        assertTrue(assertThrows(UsageException.class, () -> resolve(options(null, null, null), env)).getMessage()
                .contains("nested service"));
    }

    private static ConnectionOptions options(String host, Integer port, String dbname) {
        return new ConnectionOptions(Optional.ofNullable(host), Optional.ofNullable(port), Optional.empty(),
                Optional.ofNullable(dbname), true);
    }

    private ConnectionTarget resolve(ConnectionOptions options, Map<String, String> env) {
        Map<String, String> full = new HashMap<>(Map.of("HOME", home.toString()));
        full.putAll(env);
        return ConnectionTarget.resolve(options, full);
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> out = new HashMap<>(env);
        out.put(key, value);
        return out;
    }
}
