package io.pgsubset.transform;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dumps with transforms, restored with the dump's restore.sh into fresh databases. */
@PgTest
class TransformDumpTest {
    private static final String SALT = "correct horse battery staple";
    private static final String PLAN = """
            version: 1
            transform:
              account:
                login: hash
                email: email
                first_name: name
                last_name: "left(last_name, 1) || '.'"
                phone: {digits: 10}
                password: {constant: "!"}
              post:
                author: hash
            """;

    @TempDir
    static Path tmp;
    static Path plan;

    @BeforeAll
    static void schema(TestDatabase db) throws IOException {
        db.execute("""
                CREATE TABLE account (
                    login varchar(40) PRIMARY KEY,
                    email varchar(254) NOT NULL UNIQUE,
                    first_name varchar(30) NOT NULL,
                    last_name text,
                    phone varchar(20),
                    age integer,
                    password varchar(128) NOT NULL CHECK (password <> '')
                );
                CREATE TABLE post (
                    id serial PRIMARY KEY,
                    author varchar(40) NOT NULL REFERENCES account (login),
                    body text
                );
                INSERT INTO account SELECT 'login' || g, 'person' || g || '@corp.example.org', 'First' || (g % 7),
                       CASE WHEN g % 5 = 0 THEN NULL ELSE 'Last' || g END, '+41 79 ' || g, g % 90,
                       'pbkdf2_sha256$' || md5(g::text)
                  FROM generate_series(1, 500) g;
                INSERT INTO post (author, body) SELECT 'login' || (1 + g % 500), 'post ' || g FROM generate_series(1, 2000) g;
                """);
        plan = tmp.resolve("plan.yaml");
        Files.writeString(plan, PLAN);
    }

    private static Cli.Result dump(TestDatabase db, Path out, Map<String, String> env, String... more) {
        List<String> args = new ArrayList<>(List.of("dump", "--plan", plan.toString(), "-o", out.toString(), "-q"));
        args.addAll(db.connectionArgs());
        args.addAll(List.of(more));
        return Cli.run(env, args);
    }

    private static Manifest.TableEntry entry(Path dump, String table) throws IOException {
        return ManifestIO.read(dump).tables().stream().filter(t -> t.name().equals(table)).findFirst().orElseThrow();
    }

    private static int restore(Path dump, TestDatabase target) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", dump.resolve("restore.sh").toString());
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().putAll(target.libpqEnv());
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("restore-" + target.name() + ".log").toFile());
        return pb.start().waitFor();
    }

    @Test
    void restoredTransformedColumnsDifferAndKeepTypesConstraintsAndForeignKeys(TestDatabase db) throws Exception {
        Path out = tmp.resolve("restored");
        Cli.Result r = dump(db, out, Map.of(TransformKey.SALT_VARIABLE, SALT));
        assertEquals(0, r.exitCode(), r::toString);
        assertFalse(r.err().contains("random key"), r::toString);
        TestDatabase target = db.sibling("restored");
        assertEquals(0, restore(out, target), () -> readLog(target));
        assertEquals(500, target.queryLong("SELECT count(*) FROM account"));
        assertEquals(2000, target.queryLong("SELECT count(*) FROM post JOIN account ON login = author"),
                "every post still finds its author");
        for (String column : List.of("login", "email", "phone", "password")) {
            Set<String> before = new HashSet<>(values(db, column));
            List<String> after = values(target, column);
            assertEquals(500, after.size());
            assertTrue(after.stream().noneMatch(before::contains), column + ": a source value survived");
        }
        assertEquals(0, target.queryLong("""
                SELECT count(*) FROM account WHERE email !~ '^user[0-9a-f]{20}@example\\.com$'
                    OR phone !~ '^[0-9]{10}$' OR password <> '!' OR login !~ '^[0-9a-f]{32}$'
                    OR (last_name IS NOT NULL AND last_name !~ '^L\\.$')
                """));
        assertEquals(100, target.queryLong("SELECT count(*) FROM account WHERE last_name IS NULL"), "NULL stays NULL");
        assertEquals(columnTypes(db), columnTypes(target));
        assertEquals(db.queryValue("SELECT string_agg(conname || ':' || pg_get_constraintdef(oid), ',' ORDER BY conname)"
                + " FROM pg_constraint"), target.queryValue("SELECT string_agg(conname || ':' || "
                + "pg_get_constraintdef(oid), ',' ORDER BY conname) FROM pg_constraint"), "constraints restored");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("login", "hash");
        expected.put("email", "email");
        expected.put("first_name", "name");
        expected.put("last_name", "sql: left(last_name, 1) || '.'");
        expected.put("phone", "digits: 10");
        expected.put("password", "constant: !");
        assertEquals(expected, entry(out, "account").transforms());
        assertEquals(Map.of("author", "hash"), entry(out, "post").transforms());
    }

    private static List<String> values(TestDatabase db, String column) {
        return db.query("SELECT " + column + " FROM account").stream().map(row -> row.get(0)).toList();
    }

    private static String columnTypes(TestDatabase db) {
        return db.queryValue("SELECT string_agg(table_name || '.' || column_name || ' ' || data_type || '('"
                + " || coalesce(character_maximum_length, -1) || ') ' || is_nullable, ', ' ORDER BY table_name,"
                + " ordinal_position) FROM information_schema.columns WHERE table_schema = 'public'");
    }

    private static String readLog(TestDatabase target) {
        try {
            return Files.readString(tmp.resolve("restore-" + target.name() + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void theSameSaltGivesIdenticalDataFilesAnotherSaltOthers(TestDatabase db) throws Exception {
        Path saltFile = saltFile("salt", "rw-------");
        Path a = tmp.resolve("salt-a");
        Path b = tmp.resolve("salt-b");
        Path c = tmp.resolve("salt-c");
        assertEquals(0, dump(db, a, Map.of(TransformKey.SALT_VARIABLE, SALT)).exitCode());
        assertEquals(0, dump(db, b, Map.of(), "--salt-file", saltFile.toString()).exitCode());
        assertEquals(0, dump(db, c, Map.of(TransformKey.SALT_VARIABLE, "another salt")).exitCode());
        for (String table : List.of("account", "post")) {
            assertEquals(entry(a, table).sha256(), entry(b, table).sha256(), table);
            assertNotEquals(entry(a, table).sha256(), entry(c, table).sha256(), table);
        }
    }

    /** A salt file with {@code mode}, made as an editor would (umask applied), then chmod-ed. */
    private static Path saltFile(String name, String mode) throws IOException {
        Path file = Files.writeString(tmp.resolve(name), SALT + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    @Test
    void aSaltFileGroupOrOthersCanReadIsRefusedUnlessTheRiskIsAccepted(TestDatabase db) throws Exception {
        for (String mode : List.of("rw-r--r--", "rw-r-----", "rw-----w-")) {
            Path shared = saltFile("shared-salt", mode);
            Path out = tmp.resolve("shared-refused");
            Cli.Result refused = dump(db, out, Map.of(), "--salt-file", shared.toString());
            assertEquals(2, refused.exitCode(), refused::toString);
            assertTrue(refused.err().startsWith("pgsubset: error: --salt-file " + shared + " has group or others "
                    + "access (" + mode + ")"), refused::toString);
            assertTrue(refused.err().contains("run chmod 600 " + shared), refused::toString);
            assertEquals(1, refused.err().lines().count(), refused::toString);
            assertFalse(Files.exists(out), "a refused salt file still wrote " + out);
        }
        Path shared = saltFile("shared-salt", "rw-r--r--");
        Path accepted = tmp.resolve("shared-accepted");
        Path fromEnv = tmp.resolve("shared-env");
        Cli.Result r = dump(db, accepted, Map.of(), "--salt-file", shared.toString(), "--accept-shared-salt-file");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(0, dump(db, fromEnv, Map.of(TransformKey.SALT_VARIABLE, SALT)).exitCode());
        assertEquals(entry(fromEnv, "account").sha256(), entry(accepted, "account").sha256());
    }

    @Test
    void withoutASaltEachDumpGetsARandomKeyAndSaysSo(TestDatabase db) throws Exception {
        Path a = tmp.resolve("random-a");
        Path b = tmp.resolve("random-b");
        Cli.Result r = dump(db, a, Map.of());
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().contains("transforms use a random key, so a rerun gives different pseudonyms"), r::toString);
        assertEquals(0, dump(db, b, Map.of()).exitCode());
        assertNotEquals(entry(a, "account").sha256(), entry(b, "account").sha256());
    }

    @Test
    void theKeyIsWrittenToNoFileOfTheDump(TestDatabase db) throws Exception {
        Path out = tmp.resolve("secret");
        Cli.Result r = dump(db, out, Map.of(TransformKey.SALT_VARIABLE, SALT), "--compress");
        assertEquals(0, r.exitCode(), r::toString);
        TransformKey key = TransformKey.fromSalt(SALT.getBytes(StandardCharsets.UTF_8));
        List<String> secrets = List.of(SALT, key.pepper(), Long.toString(key.seed(0)), Long.toString(key.seed(1)));
        List<Path> files;
        try (Stream<Path> walk = Files.walk(out)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.size() >= 7, files::toString);
        for (Path f : files) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            for (String s : secrets) {
                assertFalse(text.contains(s), f + " contains the key material " + s);
            }
        }
        for (String s : secrets) {
            assertFalse(r.out().contains(s) || r.err().contains(s), "output shows the key");
        }
    }

    @Test
    void dumpRefusesAPlanWhoseTransformsBreakAForeignKey(TestDatabase db) throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "version: 1\ntransform:\n  account:\n    login: hash\n");
        List<String> args = new ArrayList<>(List.of("dump", "--plan", bad.toString(), "-o", tmp.resolve("bad").toString()));
        args.addAll(db.connectionArgs());
        Cli.Result r = Cli.run(new HashMap<>(), args);
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("bad.yaml:4:12: column login of public.account is in foreign key post_author_fkey"),
                r::toString);
        assertFalse(Files.exists(tmp.resolve("bad")));
    }
}
