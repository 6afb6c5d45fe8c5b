package io.pgsubset.database;

import io.pgsubset.error.UsageException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SQL that recreates a database's locale and settings, per target version (no server needed). */
class DatabaseSqlTest {
    private static DatabaseProperties props(String provider, Optional<String> locale, Optional<String> rules,
                                            List<DatabaseProperties.Setting> settings) {
        return new DatabaseProperties("UTF8", "de_DE.UTF-8", "de_DE.UTF-8", provider, locale, rules, settings,
                Optional.of("it's"));
    }

    @Test
    void listSettingsAreSplitAsPostgresqlStoresThem() {
        assertEquals(List.of("$user", "public", "My \"odd\" Schema", "x"),
                DatabaseSql.splitList("\"$user\", public,\"My \"\"odd\"\" Schema\" ,  x"));
        assertEquals(List.of(""), DatabaseSql.splitList("\"\""));
        assertEquals(List.of(), DatabaseSql.splitList(""));
    }

    @Test
    void settingsBecomeAlterStatementsWithLiteralValues() {
        DatabaseProperties p = props("libc", Optional.empty(), Optional.empty(), List.of(
                new DatabaseProperties.Setting(Optional.empty(), "search_path", "app, \"My Schema\""),
                new DatabaseProperties.Setting(Optional.empty(), "TimeZone", "Europe/Berlin"),
                new DatabaseProperties.Setting(Optional.of("app\"r"), "work_mem", "8MB")));
        assertEquals(List.of(
                "ALTER DATABASE \"d\" SET \"search_path\" TO E'app', E'My Schema'",
                "ALTER DATABASE \"d\" SET \"TimeZone\" TO E'Europe/Berlin'",
                "ALTER ROLE \"app\"\"r\" IN DATABASE \"d\" SET \"work_mem\" TO E'8MB'",
                "COMMENT ON DATABASE \"d\" IS E'it''s'"),
                DatabaseSql.alterStatements("\"d\"", p).stream().map(DatabaseSql.Alter::sql).toList());
    }

    @Test
    void createNamesTheProviderWhereTheTargetKnowsIt() {
        DatabaseProperties libc = props("libc", Optional.empty(), Optional.empty(), List.of());
        assertEquals("CREATE DATABASE d TEMPLATE template0 ENCODING E'UTF8' LC_COLLATE E'de_DE.UTF-8' "
                + "LC_CTYPE E'de_DE.UTF-8'", DatabaseSql.create("d", Optional.of(libc), LocaleChoice.source(), 140000));
        assertEquals("CREATE DATABASE d TEMPLATE template0 ENCODING E'UTF8' LOCALE_PROVIDER libc LC_COLLATE "
                + "E'de_DE.UTF-8' LC_CTYPE E'de_DE.UTF-8'",
                DatabaseSql.create("d", Optional.of(libc), LocaleChoice.source(), 180000));
        DatabaseProperties icu = props("icu", Optional.of("de-DE"), Optional.of("&a < b"), List.of());
        assertEquals("CREATE DATABASE d TEMPLATE template0 ENCODING E'UTF8' LOCALE_PROVIDER icu ICU_LOCALE "
                + "E'de-DE' ICU_RULES E'&a < b' LC_COLLATE E'de_DE.UTF-8' LC_CTYPE E'de_DE.UTF-8'",
                DatabaseSql.create("d", Optional.of(icu), LocaleChoice.source(), 160000));
        assertTrue(assertThrows(UsageException.class, () -> DatabaseSql.create("d", Optional.of(icu),
                LocaleChoice.source(), 150000)).getMessage().contains("needs PostgreSQL 16 or later"));
        DatabaseProperties builtin = props("builtin", Optional.of("C.UTF-8"), Optional.empty(), List.of());
        assertTrue(assertThrows(UsageException.class, () -> DatabaseSql.create("d", Optional.of(builtin),
                LocaleChoice.source(), 160000)).getMessage().contains("--locale"));
    }

    @Test
    void aChosenLocaleOrEncodingReplacesTheSources() {
        DatabaseProperties icu = props("icu", Optional.of("de-DE"), Optional.empty(), List.of());
        assertEquals("CREATE DATABASE d TEMPLATE template0 ENCODING E'LATIN1' LOCALE_PROVIDER libc LC_COLLATE E'C' "
                + "LC_CTYPE E'C'", DatabaseSql.create("d", Optional.of(icu),
                new LocaleChoice(Optional.of("C"), Optional.of("LATIN1")), 150000));
        assertEquals("CREATE DATABASE d TEMPLATE template0", DatabaseSql.create("d", Optional.empty(),
                LocaleChoice.source(), 150000));
    }
}
