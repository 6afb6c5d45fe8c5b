package io.pgsubset.database;

import io.pgsubset.database.DatabaseProperties.Setting;
import io.pgsubset.error.UsageException;
import io.pgsubset.sql.Ident;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The SQL that makes a database like the source's: CREATE DATABASE with its encoding and locale,
 * then its settings and comment. The database's name is SQL text here (a quoted identifier, or
 * {@code :"pgsubset_db"} in restore.sh), so pgsubset restore and restore.sh run the same statements.
 */
public final class DatabaseSql {
    /**
     * Settings whose value is a list of elements that PostgreSQL quotes one by one (its
     * GUC_LIST_QUOTE flag): they are given back as a list of literals, as pg_dump does, since the
     * whole stored text as one literal would become one element.
     */
    private static final Set<String> LIST_QUOTE = Set.of("local_preload_libraries", "search_path",
            "session_preload_libraries", "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories");

    private DatabaseSql() {
    }

    /** A statement that carries one setting or the comment. */
    public record Alter(String what, Optional<String> role, String sql) {
    }

    /** {@code ALTER DATABASE ... SET}, {@code ALTER ROLE ... IN DATABASE ... SET}, {@code COMMENT ON DATABASE}. */
    public static List<Alter> alterStatements(String db, DatabaseProperties p) {
        List<Alter> out = new ArrayList<>();
        for (Setting s : p.settings()) {
            String set = " SET " + Ident.quote(s.name()) + " TO " + value(s);
            String sql = s.role().map(r -> "ALTER ROLE " + Ident.quote(r) + " IN DATABASE " + db + set)
                    .orElse("ALTER DATABASE " + db + set);
            out.add(new Alter("setting " + s.display() + " = " + s.value(), s.role(), sql));
        }
        p.comment().ifPresent(c -> out.add(new Alter("comment", Optional.empty(),
                "COMMENT ON DATABASE " + db + " IS " + Ident.literal(c))));
        return out;
    }

    private static String value(Setting s) {
        if (!LIST_QUOTE.contains(s.name().toLowerCase(Locale.ROOT))) {
            return Ident.literal(s.value());
        }
        List<String> elements = splitList(s.value());
        // an empty list (search_path = '') is the empty string, as PostgreSQL stores it
        return elements.isEmpty() ? "''" : elements.stream().map(Ident::literal).collect(Collectors.joining(", "));
    }

    /** PostgreSQL's SplitGUCList: comma-separated, blanks trimmed, "double quotes" keep a name as written. */
    static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = value.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(value.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            StringBuilder element = new StringBuilder();
            if (value.charAt(i) == '"') {
                i++;
                while (i < n) {
                    char c = value.charAt(i++);
                    if (c == '"') {
                        if (i < n && value.charAt(i) == '"') {
                            element.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        element.append(c);
                    }
                }
                while (i < n && value.charAt(i) != ',') {
                    i++;
                }
            } else {
                int start = i;
                while (i < n && value.charAt(i) != ',') {
                    i++;
                }
                element.append(value.substring(start, i).strip());
            }
            out.add(element.toString());
            i++; // the comma
        }
        return out;
    }

    /**
     * {@code CREATE DATABASE name TEMPLATE template0} with the source's encoding and locale (or the
     * user's choice), for a target server of {@code targetVersionNum}. Without properties (a dump
     * from before they were recorded) and without a choice, the target's defaults.
     */
    public static String create(String name, Optional<DatabaseProperties> like, LocaleChoice choice,
                                int targetVersionNum) {
        StringBuilder sql = new StringBuilder("CREATE DATABASE " + name + " TEMPLATE template0");
        Optional<String> encoding = choice.encoding().or(() -> like.map(DatabaseProperties::encoding));
        encoding.ifPresent(e -> sql.append(" ENCODING ").append(Ident.literal(e)));
        boolean provider = targetVersionNum >= 150000;
        if (choice.locale().isPresent()) {
            // a template0 made with ICU would otherwise lend its provider to the libc locale chosen
            sql.append(provider ? " LOCALE_PROVIDER libc" : "");
            appendLibc(sql, choice.locale().get(), choice.locale().get());
            return sql.toString();
        }
        if (like.isEmpty()) {
            return sql.toString();
        }
        DatabaseProperties p = like.get();
        switch (p.localeProvider()) {
            case DatabaseProperties.ICU -> {
                requireVersion(p, targetVersionNum, 150000, "15");
                sql.append(" LOCALE_PROVIDER icu ICU_LOCALE ").append(Ident.literal(p.locale().orElse("")));
                if (p.icuRules().isPresent()) {
                    requireVersion(p, targetVersionNum, 160000, "16");
                    sql.append(" ICU_RULES ").append(Ident.literal(p.icuRules().get()));
                }
            }
            case DatabaseProperties.BUILTIN -> {
                requireVersion(p, targetVersionNum, 170000, "17");
                sql.append(" LOCALE_PROVIDER builtin BUILTIN_LOCALE ").append(Ident.literal(p.locale().orElse("")));
            }
            default -> sql.append(provider ? " LOCALE_PROVIDER libc" : "");
        }
        appendLibc(sql, p.collate(), p.ctype());
        return sql.toString();
    }

    /**
     * A query (for psql) giving one line per difference between the connected database's encoding
     * and locale and the source's: {@code LC_COLLATE is C, the source's de_DE.UTF-8}.
     */
    public static String localeDifferences(DatabaseProperties p) {
        return """
                SELECT v.what || ' is ' || v.target || ', the source''s ' || v.source
                  FROM pg_catalog.pg_database d, pg_catalog.to_jsonb(d) j,
                       LATERAL (VALUES ('encoding', pg_catalog.pg_encoding_to_char(d.encoding), %s),
                                       ('LC_COLLATE', d.datcollate::text, %s),
                                       ('LC_CTYPE', d.datctype::text, %s),
                                       ('locale provider', CASE j ->> 'datlocprovider' WHEN 'i' THEN 'icu'
                                            WHEN 'b' THEN 'builtin' ELSE 'libc' END, %s),
                                       ('locale', coalesce(j ->> 'datlocale', j ->> 'daticulocale', '(none)'), %s))
                       AS v(what, target, source)
                 WHERE d.datname = pg_catalog.current_database() AND v.target IS DISTINCT FROM v.source;"""
                .formatted(Ident.literal(p.encoding()), Ident.literal(p.collate()), Ident.literal(p.ctype()),
                        Ident.literal(p.localeProvider()), Ident.literal(p.locale().orElse("(none)")));
    }

    private static void appendLibc(StringBuilder sql, String collate, String ctype) {
        sql.append(" LC_COLLATE ").append(Ident.literal(collate)).append(" LC_CTYPE ").append(Ident.literal(ctype));
    }

    private static void requireVersion(DatabaseProperties p, int targetVersionNum, int needed, String major) {
        if (targetVersionNum < needed) {
            throw new UsageException("the source database uses the " + p.localeProvider() + " locale provider ("
                    + p.describeLocale() + "), which needs PostgreSQL " + major + " or later; the target server is "
                    + (targetVersionNum / 10000) + ": choose a libc locale with --locale (sort order then differs "
                    + "from the source's)");
        }
    }
}
