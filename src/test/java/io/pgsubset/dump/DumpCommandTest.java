package io.pgsubset.dump;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.manifest.RowDigest;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@PgTest
class DumpCommandTest {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE);
                INSERT INTO customer (name, email)
                  SELECT 'c' || g, 'c' || g || '@example.com' FROM generate_series(1, 300) g;
                INSERT INTO customer (name, email) VALUES (E'quote " comma , newline \\n back \\\\ slash', NULL),
                  ('', '');
                CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                  customer_id int NOT NULL REFERENCES customer, amount numeric(10,2),
                  amount_with_tax numeric GENERATED ALWAYS AS (amount * 1.2) STORED, placed timestamptz,
                  tags text[], doc jsonb, raw bytea);
                INSERT INTO orders (customer_id, amount, placed, tags, doc, raw)
                  SELECT 1 + g % 300, g * 1.5, timestamptz '2024-01-01 12:00+02' + g * interval '1 hour',
                         ARRAY['a', 'b,c'], jsonb_build_object('n', g), decode('00ff' || lpad(to_hex(g), 4, '0'), 'hex')
                    FROM generate_series(1, 1000) g;
                INSERT INTO orders (customer_id, placed) VALUES (1, 'infinity');
                CREATE SCHEMA "Other Schema";
                CREATE TABLE "Other Schema"."Mixed Case" ("Id" int PRIMARY KEY, "a/b" text);
                INSERT INTO "Other Schema"."Mixed Case" VALUES (1, 'x'), (2, NULL);
                CREATE TABLE events (id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
                CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
                INSERT INTO events SELECT g, date '2024-01-01' + (g % 700) FROM generate_series(1, 500) g;
                CREATE TABLE animal (id int PRIMARY KEY, name text);
                CREATE TABLE dog (good boolean) INHERITS (animal);
                INSERT INTO animal VALUES (1, 'generic');
                INSERT INTO dog VALUES (2, 'rex', true);
                SELECT setval('customer_id_seq', 500);
                ANALYZE;
                """);
    }

    static Cli.Result dump(TestDatabase db, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("-o", out.toString()));
        args.addAll(List.of(more));
        return Cli.against(db, "dump", args.toArray(String[]::new));
    }

    @Test
    void writesTheDumpDirectoryWithAManifestMatchingItsFiles(TestDatabase db) throws Exception {
        Path out = tmp.resolve("layout");
        Cli.Result r = dump(db, out);
        assertEquals(0, r.exitCode(), r::toString);
        for (String f : List.of("manifest.json", "schema/pre-data.sql", "schema/post-data.sql", "sequences.sql",
                "plan.yaml", "restore.sh", "data/public.customer.csv", "data/public.orders.csv", "data/public.events.csv",
                "data/Other Schema.Mixed Case.csv", "data/public.animal.csv", "data/public.dog.csv")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " missing in " + listing(out));
        }
        assertFalse(Files.exists(out.resolve("data/public.events_2024.csv")), "partitions go to the root's file");
        Manifest m = ManifestIO.read(out);
        assertEquals(db.name(), m.source().database());
        assertEquals(db.queryValue("SHOW server_version"), m.source().serverVersion());
        assertTrue(m.source().systemIdentifier().isPresent());
        assertTrue(m.snapshotTime().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"), m.snapshotTime());
        assertEquals(6, m.tables().size(), m.tables()::toString);
        for (Manifest.TableEntry t : m.tables()) {
            Path file = out.resolve(t.file());
            byte[] bytes = Files.readAllBytes(file);
            assertEquals(bytes.length, t.bytes(), t.file());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), t.sha256());
            assertEquals(RowDigest.of(new String(bytes, StandardCharsets.UTF_8), true), t.rowDigest());
            assertEquals("full", t.mode());
            long sourceRows = db.queryLong("SELECT count(*) FROM ONLY " + io.pgsubset.sql.Ident.quote(t.schema()) + "."
                    + io.pgsubset.sql.Ident.quote(t.name()));
            if (!t.name().equals("events")) {
                assertEquals(sourceRows, t.rows(), t.name());
            }
        }
        assertEquals(500, entry(m, "events").rows());
        assertEquals(1, entry(m, "animal").rows(), "the parent's own rows only: ONLY");
        assertEquals(1, entry(m, "dog").rows());
        Manifest.SequenceEntry seq = m.sequences().stream().filter(s -> s.name().equals("customer_id_seq"))
                .findFirst().orElseThrow();
        assertEquals(500, seq.lastValue());
        assertTrue(seq.isCalled());
        assertTrue(Files.readString(out.resolve("sequences.sql"))
                .contains("SELECT pg_catalog.setval(E'\"public\".\"customer_id_seq\"', 500, true);"));
        JsonNode plan = ManifestIO.mapper().readTree(out.resolve("manifest.json").toFile()).get("plan");
        assertEquals(6, plan.get("tables").size());
        String manifestText = Files.readString(out.resolve("manifest.json"));
        assertFalse(manifestText.contains("password"), manifestText);
        assertTrue(r.out().contains("total (6 tables)"), r.out());
        assertTrue(r.err().contains("[6/6]"), r.err());
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().contains("pgsubset-partial")));
        }
    }

    @Test
    void csvHasAHeaderAndOnlyRealColumns(TestDatabase db) throws Exception {
        Path out = tmp.resolve("columns");
        assertEquals(0, dump(db, out, "--quiet").exitCode());
        List<String> lines = Files.readAllLines(out.resolve("data/public.orders.csv"));
        assertEquals("id,customer_id,amount,placed,tags,doc,raw", lines.get(0));
        assertEquals(1002, lines.size());
        assertTrue(lines.contains("1001,1,,infinity,,,"), lines.get(1001));
        assertTrue(lines.get(1).startsWith("1,2,1.50,2024-01-01 11:00:00+00,\"{a,\"\"b,c\"\"}\",\"{\"\"n\"\": 1}\",\\x00ff0001"),
                lines.get(1));
        Manifest m = ManifestIO.read(out);
        assertEquals(List.of("id", "customer_id", "amount", "placed", "tags", "doc", "raw"),
                entry(m, "orders").columns());
        assertEquals("Id,a/b", Files.readAllLines(out.resolve("data/Other Schema.Mixed Case.csv")).get(0));
    }

    @Test
    void compressedDumpWritesGzipFilesWithTheirOwnChecksums(TestDatabase db) throws Exception {
        Path out = tmp.resolve("gz");
        assertEquals(0, dump(db, out, "--quiet", "--compress", "--jobs", "2").exitCode());
        Manifest m = ManifestIO.read(out);
        assertTrue(m.compressed());
        Manifest.TableEntry orders = entry(m, "orders");
        assertEquals("data/public.orders.csv.gz", orders.file());
        byte[] gz = Files.readAllBytes(out.resolve(orders.file()));
        assertEquals(orders.sha256(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(gz)));
        String csv = new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz)).readAllBytes(),
                StandardCharsets.UTF_8);
        assertEquals(orders.rowDigest(), RowDigest.of(csv, true));
        assertEquals(1001, orders.rows());
    }

    @Test
    void schemaAndDataLoadIntoAnEmptyDatabaseWithPsql(TestDatabase db) throws Exception {
        Path out = tmp.resolve("roundtrip");
        assertEquals(0, dump(db, out, "--quiet").exitCode());
        TestDatabase target = db.sibling("rt");
        Manifest m = ManifestIO.read(out);
        StringBuilder script = new StringBuilder("\\set ON_ERROR_STOP on\n\\i '" + out.resolve("schema/pre-data.sql")
                + "'\n");
        for (Manifest.TableEntry t : m.tables()) {
            script.append("\\copy ").append(io.pgsubset.sql.Ident.quote(t.schema())).append('.')
                    .append(io.pgsubset.sql.Ident.quote(t.name())).append(" (")
                    .append(io.pgsubset.sql.Ident.list(t.columns())).append(") FROM '")
                    .append(out.resolve(t.file())).append("' WITH (FORMAT csv, HEADER)\n");
        }
        script.append("\\i '").append(out.resolve("schema/post-data.sql")).append("'\n\\i '")
                .append(out.resolve("sequences.sql")).append("'\n");
        Path sql = tmp.resolve("roundtrip.sql");
        Files.writeString(sql, script);
        Psql.run(target, sql);
        for (String table : List.of("public.customer", "public.orders", "public.events", "\"Other Schema\".\"Mixed Case\"",
                "public.animal", "public.dog")) {
            String checksum = "SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '')"
                    + " FROM " + table + " x";
            assertEquals(db.queryValue(checksum), target.queryValue(checksum), table);
        }
        assertEquals("501", target.queryValue("SELECT nextval('customer_id_seq')"));
        assertEquals("1", target.queryValue("SELECT count(*) FROM pg_constraint WHERE conname = 'orders_customer_id_fkey'"));
    }

    @Test
    void followsThePlanAndKeepsItVerbatim(TestDatabase db) throws Exception {
        Path planFile = tmp.resolve("plan.yaml");
        String plan = "# my plan\nversion: 1\nunlisted: full\nskip: [orders, dog]\n";
        Files.writeString(planFile, plan);
        Path out = tmp.resolve("planned");
        Cli.Result r = dump(db, out, "--quiet", "--plan", planFile.toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(plan, Files.readString(out.resolve("plan.yaml")));
        Manifest m = ManifestIO.read(out);
        assertEquals("skip", entry(m, "orders").mode());
        assertEquals(0, entry(m, "orders").rows());
        assertEquals(List.of("id,customer_id,amount,placed,tags,doc,raw"),
                Files.readAllLines(out.resolve("data/public.orders.csv")));
        assertEquals("full", entry(m, "customer").mode());
        assertEquals(302, entry(m, "customer").rows());
        assertEquals(0, entry(m, "dog").rows());
        assertEquals(1, entry(m, "animal").rows());
    }

    @Test
    void dumpsASampleWithItsForeignKeyChildren(TestDatabase db) throws Exception {
        Path planFile = tmp.resolve("sample-plan.yaml");
        Files.writeString(planFile, "version: 1\nsample:\n  customer: {every: 10}\n");
        Path out = tmp.resolve("sampled");
        Cli.Result r = dump(db, out, "--quiet", "--plan", planFile.toString(), "--jobs", "2");
        assertEquals(0, r.exitCode(), r::toString);
        Manifest m = ManifestIO.read(out);
        assertEquals("sample", entry(m, "customer").mode());
        assertEquals("follow", entry(m, "orders").mode());
        assertEquals(30, entry(m, "customer").rows());
        long expectedOrders = db.queryLong("""
                SELECT count(*) FROM orders WHERE customer_id IN (SELECT id FROM (SELECT id, row_number() OVER
                  (ORDER BY id) AS rn FROM customer) s WHERE rn % 10 = 0)""");
        assertTrue(expectedOrders > 0);
        assertEquals(expectedOrders, entry(m, "orders").rows());
        java.util.Set<String> customers = new java.util.HashSet<>();
        Files.readAllLines(out.resolve("data/public.customer.csv")).stream().skip(1)
                .forEach(l -> customers.add(l.substring(0, l.indexOf(','))));
        for (String line : Files.readAllLines(out.resolve("data/public.orders.csv")).subList(1, (int) expectedOrders + 1)) {
            assertTrue(customers.contains(line.split(",")[1]), line);
        }
    }

    @Test
    void verbosePrintsTheTimeOfEveryPhaseAndTheManifestRecordsThem(TestDatabase db) throws Exception {
        Path planFile = tmp.resolve("phases-plan.yaml");
        Files.writeString(planFile, "version: 1\nsample:\n  customer: {every: 10}\n");
        Path out = tmp.resolve("phases");
        Cli.Result r = dump(db, out, "--verbose", "--plan", planFile.toString());
        assertEquals(0, r.exitCode(), r::toString);
        Manifest m = ManifestIO.read(out);
        List<String> recorded = m.phases().stream().map(Manifest.Phase::name).toList();
        // orders are the customers' children: the server joins them while copying, the closure adds none
        List<String> expected = new ArrayList<>(List.of("connect", "catalog", "plan", "closure",
                "closure sample public.customer (+" + entry(m, "customer").rows() + " rows)", "closure down 1 (+0 rows)",
                "closure up 1 (+0 rows)", "data", "fsync (data files)",
                "schema (pg_dump and pg_restore, alongside)"));
        m.tables().forEach(t -> expected.add("copy " + new io.pgsubset.catalog.QualifiedName(t.schema(), t.name()).display()));
        for (String phase : expected) {
            assertTrue(recorded.contains(phase), phase + " missing from the manifest's phases " + recorded);
        }
        assertTrue(m.phases().stream().allMatch(p -> p.seconds() >= 0), m.phases()::toString);
        expected.addAll(List.of("manifest", "total"));
        for (String phase : expected) {
            assertTrue(r.err().contains("pgsubset: phase " + phase + ": "), phase + " not printed:\n" + r.err());
        }
        Cli.Result quiet = dump(db, tmp.resolve("phases-quiet"), "--plan", planFile.toString());
        assertFalse(quiet.err().contains("phase"), "phase times only with --verbose:\n" + quiet.err());
    }

    @Test
    void stopsBeforeWritingWhenTheSubsetExceedsMaxRows(TestDatabase db) throws Exception {
        Path planFile = tmp.resolve("every-plan.yaml");
        Files.writeString(planFile, "version: 1\nsample:\n  customer: {every: 1}\n");
        Path out = tmp.resolve("too-big");
        Cli.Result r = dump(db, out, "--max-rows", "100", "--plan", planFile.toString());
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("max_rows"), r.err());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(tmp.resolve(".too-big.pgsubset-partial-" + ProcessHandle.current().pid())));
    }

    @Test
    void aBadPlanFailsWithExit2BeforeWritingAnything(TestDatabase db) throws Exception {
        Path planFile = tmp.resolve("bad-plan.yaml");
        Files.writeString(planFile, "version: 1\nskip: [no_such_table]\n");
        Path out = tmp.resolve("bad-plan");
        Cli.Result r = dump(db, out, "--plan", planFile.toString());
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("bad-plan.yaml:2:"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void failsAfterLockWaitTimeoutWhenATableIsLockedExclusively(TestDatabase db) throws Exception {
        try (java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("LOCK TABLE animal IN ACCESS EXCLUSIVE MODE");
            Path out = tmp.resolve("locked");
            long started = System.nanoTime();
            Cli.Result r = dump(db, out, "--lock-wait-timeout", "500ms");
            c.rollback();
            assertEquals(1, r.exitCode(), r::toString);
            assertTrue(r.err().contains("lock timeout"), r.err());
            // the tables are locked many per statement: the failure still names the one that waited
            assertTrue(r.err().contains("could not lock table public.animal (ACCESS SHARE)"), r.err());
            assertTrue(System.nanoTime() - started < 60_000_000_000L);
            assertFalse(Files.exists(out));
        }
        Cli.Result bad = dump(db, tmp.resolve("bad-timeout"), "--lock-wait-timeout", "soon");
        assertEquals(2, bad.exitCode(), bad::toString);
        assertTrue(bad.err().contains("invalid --lock-wait-timeout \"soon\""), bad.err());
    }

    @Test
    void ownersAndPrivilegesOnlyWithKeepOwners(TestDatabase db) throws Exception {
        db.execute("DROP ROLE IF EXISTS app_owner; CREATE ROLE app_owner; GRANT SELECT ON customer TO app_owner");
        Path plain = tmp.resolve("no-owners");
        assertEquals(0, dump(db, plain, "--quiet").exitCode());
        String pre = Files.readString(plain.resolve("schema/pre-data.sql"));
        assertFalse(pre.contains("OWNER TO"), "no owners by default");
        assertFalse(Files.readString(plain.resolve("schema/post-data.sql")).contains("GRANT SELECT"));
        Path kept = tmp.resolve("owners");
        assertEquals(0, dump(db, kept, "--quiet", "--keep-owners").exitCode());
        assertTrue(Files.readString(kept.resolve("schema/pre-data.sql")).contains("OWNER TO"));
        String all = Files.readString(kept.resolve("schema/pre-data.sql"))
                + Files.readString(kept.resolve("schema/post-data.sql"));
        assertTrue(all.contains("GRANT SELECT ON TABLE public.customer TO app_owner"), "privileges kept");
        assertTrue(ManifestIO.read(kept).keepOwners());
    }

    @Test
    void refusesAnExistingDirectoryWithExit2(TestDatabase db) throws Exception {
        Path out = tmp.resolve("exists");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        Cli.Result r = dump(db, out);
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("already exists"), r.err());
        Cli.Result forced = dump(db, out, "--force");
        assertEquals(2, forced.exitCode(), forced::toString);
        assertTrue(forced.err().contains("not a pgsubset dump"), forced.err());
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    }

    @Test
    void anOutputNameWithGlobCharactersWorks(TestDatabase db) throws Exception {
        Path out = tmp.resolve("out[1*{a");
        Cli.Result r = dump(db, out, "--quiet");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(Files.exists(out.resolve("manifest.json")));
        assertEquals(0, dump(db, out, "--quiet", "--force").exitCode());
    }

    @Test
    void forceReplacesAnEarlierDump(TestDatabase db) throws Exception {
        Path out = tmp.resolve("again");
        assertEquals(0, dump(db, out, "--quiet").exitCode());
        Files.writeString(out.resolve("marker"), "old");
        Cli.Result r = dump(db, out, "--quiet", "--force");
        assertEquals(0, r.exitCode(), r::toString);
        assertFalse(Files.exists(out.resolve("marker")));
        assertTrue(Files.exists(out.resolve("manifest.json")));
    }

    @Test
    void tooOldPgDumpFailsWithExit1AndSaysWhatToInstall(TestDatabase db) throws Exception {
        Path fake = tmp.resolve("fake-pg_dump");
        Files.writeString(fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.0'\n");
        assertTrue(fake.toFile().setExecutable(true));
        Path out = tmp.resolve("old-pg-dump");
        Cli.Result r = dump(db, out, "--pg-dump", fake.toString());
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("pg_dump 9 (" + fake + ") is older than the server"), r.err());
        assertTrue(r.err().contains("postgresql-client-"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void stderrCarriesNoProgressWithQuiet(TestDatabase db) {
        Cli.Result r = dump(db, tmp.resolve("quiet"), "--quiet");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("", r.err());
    }

    static Manifest.TableEntry entry(Manifest m, String name) {
        return m.tables().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    static String listing(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.map(p -> dir.relativize(p).toString()).sorted().toList().toString();
        }
    }

    /** Runs psql on a script against a database of the test cluster; fails with its output. */
    static final class Psql {
        static void run(TestDatabase target, Path script) throws Exception {
            ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", script.toString())
                    .redirectErrorStream(true);
            pb.environment().putAll(target.libpqEnv());
            pb.environment().putAll(Map.of("PGOPTIONS", "-c client_min_messages=warning"));
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), output);
        }
    }
}
