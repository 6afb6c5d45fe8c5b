package io.pgsubset.verify;

import io.pgsubset.error.PgsubsetException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The foreign keys a restored database must have: those pg_dump wrote into schema/post-data.sql,
 * as {@code ALTER TABLE [ONLY] schema.table ADD CONSTRAINT name FOREIGN KEY ...}. pg_dump leaves an
 * identifier bare only when it is lower case and no keyword, and double-quotes it otherwise.
 */
final class ExpectedForeignKeys {
    private static final String IDENT = "(\"(?:[^\"]|\"\")*\"|[a-z_][a-z0-9_$]*)";
    private static final Pattern FK = Pattern.compile("ALTER TABLE (?:ONLY )?" + IDENT + "\\." + IDENT
            + "\\s+ADD CONSTRAINT " + IDENT + " FOREIGN KEY ");

    private ExpectedForeignKeys() {
    }

    /** Keys of the form schema, table, constraint name (raw, unquoted). */
    record Key(String schema, String table, String name) {
        String display() {
            return schema + "." + table + " " + name;
        }
    }

    static Set<Key> read(Path postData) {
        String sql;
        try {
            sql = Files.readString(postData);
        } catch (IOException e) {
            throw new PgsubsetException("could not read " + postData + ": " + e.getMessage(), e);
        }
        return parse(sql);
    }

    static Set<Key> parse(String sql) {
        Set<Key> keys = new LinkedHashSet<>();
        Matcher m = FK.matcher(sql);
        while (m.find()) {
            keys.add(new Key(unquote(m.group(1)), unquote(m.group(2)), unquote(m.group(3))));
        }
        return keys;
    }

    private static final Pattern QUALIFIED = Pattern.compile(IDENT + "\\." + IDENT);

    /** schema and name of a display name ({@code public."Mixed Case"}), as the plan JSON writes them. */
    static java.util.Optional<String[]> qualifiedName(String display) {
        Matcher m = QUALIFIED.matcher(display);
        return m.matches() ? java.util.Optional.of(new String[] {unquote(m.group(1)), unquote(m.group(2))})
                : java.util.Optional.empty();
    }

    private static String unquote(String ident) {
        return ident.startsWith("\"") ? ident.substring(1, ident.length() - 1).replace("\"\"", "\"") : ident;
    }
}
