package io.pgsubset.reliability;

import io.pgsubset.database.DatabaseProperties;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.format.RestoreScript;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgBinaries;
import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database itself comes along: a UTF8 source with an ICU collation, database settings
 * (search_path, timezone, default_transaction_read_only), a per-role setting and a comment is
 * restored onto a server initialised with LATIN1 and C. restore --create, --replace and restore.sh
 * --create make a database like the source's; a locale the target lacks refuses before anything
 * is created; --clean into an existing database applies the settings and warns about its locale.
 */
@PgTest
class DatabaseLikeSourceTest {
    /** Sorted by ICU de-DE: symbols first, umlauts beside their letter, case second. C gives B,a,z,ä,日本語,😀. */
    private static final String ICU_ORDER = "😀,a,ä,B,z,日本語";
    private static final String WORDS = "日本語,ä,a,B,z,😀";
    private static final String COMMENT = "Production copy: 日本語 & 'quotes' \\ backslash";

    @TempDir
    static Path tmp;
    static PgCluster latin1;
    static TestDatabase source;
    static Path dump;

    @BeforeAll
    static void setUp(TestDatabase db) {
        db.execute("DO $$ BEGIN CREATE ROLE app_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        db.execute("CREATE DATABASE src_icu TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu "
                + "ICU_LOCALE 'de-DE' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'");
        source = db.existing("src_icu");
        // first: default_transaction_read_only = on makes every later session of the source read only
        source.execute("COMMENT ON DATABASE src_icu IS " + literal(COMMENT));
        source.execute("""
                CREATE SCHEMA app;
                CREATE SCHEMA "My Schema";
                CREATE TABLE app.t (id int PRIMARY KEY, word text NOT NULL);
                INSERT INTO app.t VALUES (1, '日本語'), (2, 'ä'), (3, 'a'), (4, 'B'), (5, 'z'), (6, '😀');
                ALTER DATABASE src_icu SET search_path = app, "My Schema", public;
                ALTER DATABASE src_icu SET timezone = 'Asia/Tokyo';
                ALTER DATABASE src_icu SET default_transaction_read_only = on;
                ALTER ROLE app_reader IN DATABASE src_icu SET work_mem = '8MB';
                """);
        dump = tmp.resolve("dump");
        Dumps.dumpOk(source, dump, "-q");
        latin1 = PgCluster.start(PgBinaries.find(), List.of(), List.of("-E", "LATIN1", "--locale=C"));
    }

    @AfterAll
    static void stop() {
        if (latin1 != null) {
            latin1.close();
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static TestDatabase onLatin1(String name) {
        return source.on(latin1).existing(name);
    }

    @Test
    void theManifestRecordsEncodingLocaleSettingsAndComment() {
        DatabaseProperties p = Dumps.manifest(dump).database().orElseThrow();
        assertEquals("UTF8", p.encoding());
        assertEquals("C.UTF-8", p.collate());
        assertEquals("icu", p.localeProvider());
        assertEquals(Optional.of("de-DE"), p.locale());
        assertEquals(Optional.of(COMMENT), p.comment());
        assertEquals(List.of("search_path=app, \"My Schema\", public", "TimeZone=Asia/Tokyo",
                "default_transaction_read_only=on", "work_mem=8MB for app_reader"), p.settings().stream()
                .map(s -> s.name() + "=" + s.value() + s.role().map(r -> " for " + r).orElse("")).toList());
    }

    @Test
    void restoreCreateOnALatin1ServerMakesTheDatabaseLikeTheSource() {
        TestDatabase copy = onLatin1("copy_create");
        assertCreatedLikeSource(Dumps.restore(copy, dump, "--create"), copy);
        Cli.Result verified = Dumps.verify(copy, dump);
        assertEquals(0, verified.exitCode(), verified::toString);
        assertTrue(verified.out().contains(", 1 warnings"), verified::toString);
        assertTrue(verified.err().contains("warning: the database's setting work_mem for role app_reader is not set,"
                + " the source's 8MB"), verified::toString);
    }

    @Test
    void restoreShCreateOnALatin1ServerMakesTheDatabaseLikeTheSource() {
        TestDatabase copy = onLatin1("copy_script");
        assertCreatedLikeSource(Dumps.restoreSh(dump, copy, "--create"), copy);
    }

    /** The per-role setting's role does not exist on the LATIN1 server: a warning, the rest applies. */
    private static void assertCreatedLikeSource(Cli.Result r, TestDatabase copy) {
        assertEquals(0, r.exitCode(), r::toString);
        assertLikeSource(copy);
        assertTrue(r.err().contains("warning: not applied: setting work_mem for role app_reader = 8MB (the role "
                + "does not exist on the target)"), r::toString);
    }

    @Test
    void cloneCreateOnALatin1ServerMakesTheDatabaseLikeTheSource() {
        TestDatabase copy = onLatin1("copy_clone");
        List<String> args = new ArrayList<>(List.of("clone"));
        args.addAll(source.connectionArgs());
        args.addAll(List.of("--target", copy.conninfo(), "--create", "-q"));
        assertCreatedLikeSource(Cli.run(Map.of(), args), copy);
    }

    @Test
    void replaceOnALatin1ServerSwapsInADatabaseLikeTheSource() {
        TestDatabase copy = onLatin1("copy_replace");
        onLatin1("postgres").execute("CREATE DATABASE copy_replace");
        assertEquals("LATIN1", copy.queryValue("SELECT pg_encoding_to_char(encoding) FROM pg_database "
                + "WHERE datname = current_database()"));
        Cli.Result r = Dumps.restore(copy, dump, "--replace", copy.name(), "--drop-old");
        assertEquals(0, r.exitCode(), r::toString);
        assertLikeSource(copy);
    }

    /** Encoding, collation, text, settings in effect for a new session, comment. */
    private static void assertLikeSource(TestDatabase copy) {
        assertEquals(List.of(List.of("UTF8", "C.UTF-8", "C.UTF-8", "i", "de-DE")), copy.query("""
                SELECT pg_encoding_to_char(encoding), datcollate, datctype, datlocprovider, daticulocale
                  FROM pg_database WHERE datname = current_database()"""));
        // each query runs in a new session, so the database's settings are in effect; t needs search_path
        assertEquals(WORDS, copy.queryValue("SELECT string_agg(word, ',' ORDER BY id) FROM t"));
        assertEquals(ICU_ORDER, copy.queryValue("SELECT string_agg(word, ',' ORDER BY word) FROM t"));
        assertEquals("app, \"My Schema\", public", copy.queryValue("SHOW search_path"));
        assertEquals("Asia/Tokyo", psqlValue(copy, "SHOW timezone"));
        assertEquals("on", copy.queryValue("SHOW default_transaction_read_only"));
        assertEquals(COMMENT, copy.queryValue("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                + "WHERE datname = current_database()"));
    }

    /**
     * A value as a new psql session sees it: the JDBC driver sends its own TimeZone when it
     * connects, which would hide the database's.
     */
    private static String psqlValue(TestDatabase db, String sql) {
        PgCluster c = db.cluster();
        return c.run(List.of(c.binDir().resolve("psql").toString(), "-X", "-At", "-h", c.host(), "-p",
                Integer.toString(c.port()), "-U", PgCluster.SUPERUSER, "-d", db.name(), "-c", sql)).strip();
    }

    /** A dump whose source database had a locale this machine lacks, as from another server. */
    private static Path dumpWithLocale(String name, String locale) throws Exception {
        Path copy = tmp.resolve(name);
        copyTree(dump, copy);
        Manifest m = ManifestIO.read(copy);
        DatabaseProperties p = m.database().orElseThrow();
        DatabaseProperties foreign = new DatabaseProperties(p.encoding(), locale, locale, DatabaseProperties.LIBC,
                Optional.empty(), Optional.empty(), p.settings(), p.comment());
        Manifest changed = m.withDatabase(Optional.of(foreign));
        Files.delete(copy.resolve(ManifestIO.FILE_NAME));
        byte[] bytes = ManifestIO.bytes(changed);
        ManifestIO.write(copy, bytes);
        RestoreScript.write(copy, changed, bytes);
        return copy;
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    @Test
    void aLocaleMissingOnTheTargetIsRefusedBeforeAnythingIsCreated() throws Exception {
        Path foreign = dumpWithLocale("foreign", "xx_XX.UTF-8");
        TestDatabase copy = onLatin1("copy_foreign");
        String roles = "SELECT count(*) FROM pg_roles WHERE rolname = 'new_owner'";
        String databases = "SELECT count(*) FROM pg_database WHERE datname = 'copy_foreign'";
        TestDatabase postgres = onLatin1("postgres");
        List<Cli.Result> refused = new ArrayList<>();
        refused.add(Dumps.restore(copy, foreign, "--create", "--owner", "new_owner"));
        refused.add(Dumps.restore(copy, foreign, "--replace", copy.name(), "--owner", "new_owner"));
        refused.add(Dumps.restoreSh(foreign, copy, "--create", "--owner", "new_owner"));
        for (Cli.Result r : refused) {
            assertEquals(2, r.exitCode(), r::toString);
            List<String> errors = r.err().lines().filter(l -> l.contains("error:")).toList();
            assertEquals(1, errors.size(), r::toString);
            String error = errors.get(0);
            assertTrue(error.contains("cannot create database \"copy_foreign") || error.contains(
                    "cannot create database copy_foreign"), r::toString);
            assertTrue(error.contains("LC_COLLATE xx_XX.UTF-8") && error.contains("invalid locale name")
                    && error.contains("--locale"), r::toString);
            assertFalse(r.err().contains("\tat "), r::toString);
            assertEquals("0", postgres.queryValue(roles), r::toString);
            assertEquals("0", postgres.queryValue(databases), r::toString);
            assertEquals("0", postgres.queryValue("SELECT count(*) FROM pg_database WHERE datname LIKE "
                    + "'copy_foreign%'"), r::toString);
        }

        Cli.Result chosen = Dumps.restoreSh(foreign, copy, "--create", "--locale", "C.UTF-8");
        assertEquals(0, chosen.exitCode(), chosen::toString);
        assertTrue(chosen.err().contains("warning: --locale C.UTF-8: text sorts and compares by C.UTF-8, not by the "
                + "source's xx_XX.UTF-8"), chosen::toString);
        assertEquals(List.of(List.of("UTF8", "C.UTF-8", "c")), copy.query("SELECT pg_encoding_to_char(encoding), "
                + "datcollate, datlocprovider FROM pg_database WHERE datname = current_database()"));
        assertEquals(WORDS, copy.queryValue("SELECT string_agg(word, ',' ORDER BY id) FROM t"));
    }

    @Test
    void cleanIntoAnExistingDatabaseAppliesTheSettingsAndWarnsAboutItsLocale(TestDatabase db) {
        // on the source's own server (UTF8): an existing database made with the libc locale C
        db.execute("CREATE DATABASE clean_target TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'");
        TestDatabase target = db.existing("clean_target");
        target.execute("CREATE TABLE old_content (id int)");
        // an existing database keeps its locale: choosing one is refused before anything happens
        Dumps.assertOneClearError(Dumps.restore(target, dump, "--clean", "--locale", "C"), 2);
        assertEquals(2, Dumps.restoreSh(dump, target, "--clean", "--encoding", "UTF8").exitCode());
        assertEquals("1", target.queryValue("SELECT count(*) FROM pg_class WHERE relname = 'old_content'"));

        Cli.Result r = Dumps.restore(target, dump, "--clean");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().contains("warning: the target database's LC_COLLATE is C, the source's C.UTF-8"),
                r::toString);
        assertTrue(r.err().contains("warning: the target database's locale provider is libc, the source's icu"),
                r::toString);
        assertEquals("app, \"My Schema\", public", target.queryValue("SHOW search_path"));
        assertEquals("Asia/Tokyo", psqlValue(target, "SHOW timezone"));
        assertEquals(COMMENT, target.queryValue("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                + "WHERE datname = current_database()"));
        // the per-role setting, with the role present on this server
        assertEquals("8MB", target.queryValue("SELECT split_part(c, '=', 2) FROM pg_db_role_setting s, "
                + "unnest(s.setconfig) c WHERE s.setrole = 'app_reader'::regrole AND s.setdatabase = "
                + "(SELECT oid FROM pg_database WHERE datname = current_database())"));

        Cli.Result verified = Dumps.verify(target, dump);
        assertEquals(0, verified.exitCode(), verified::toString);
        assertTrue(verified.err().contains("warning: the database's LC_COLLATE is C, the source's C.UTF-8"),
                verified::toString);
        List<String> strict = new ArrayList<>(List.of("verify", dump.toString(), "--strict"));
        strict.addAll(target.connectionArgs());
        Cli.Result strictly = Cli.run(Map.of(), strict);
        assertEquals(3, strictly.exitCode(), strictly::toString);
    }
}
