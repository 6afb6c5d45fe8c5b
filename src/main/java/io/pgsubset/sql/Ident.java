package io.pgsubset.sql;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one place where names from a plan or the catalog become SQL text. Every identifier is
 * double-quoted, even when it would not need it, so a hostile name can never change a statement.
 */
public final class Ident {
    private Ident() {
    }

    /** Quotes an identifier as PostgreSQL does for quote_ident, always. */
    public static String quote(String identifier) {
        if (identifier.isEmpty()) {
            throw new IllegalArgumentException("empty SQL identifier");
        }
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("SQL identifier contains a NUL character");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /**
     * Whether a name reads as itself unquoted, [a-z_][a-z0-9_$]* (reserved words aside): for names
     * shown to people, never for SQL. A loop, not a regular expression: it runs for every table
     * name printed, thousands of times on a big catalog.
     */
    public static boolean isPlain(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || c == '_';
            if (!letter && (i == 0 || !((c >= '0' && c <= '9') || c == '$'))) {
                return false;
            }
        }
        return true;
    }

    /** A schema-qualified name, each part quoted: {@code "schema"."name"}. */
    public static String quote(String schema, String name) {
        return quote(schema) + "." + quote(name);
    }

    /** A comma-separated list of quoted identifiers. */
    public static String list(List<String> identifiers) {
        return identifiers.stream().map(Ident::quote).collect(Collectors.joining(", "));
    }

    /** Columns qualified by a table alias: {@code a."x", a."y"}. */
    public static String list(String alias, List<String> identifiers) {
        return identifiers.stream().map(c -> alias + "." + quote(c)).collect(Collectors.joining(", "));
    }

    /**
     * A string literal for the rare statements that cannot take bind parameters (COPY, SET).
     * Uses the E'' form so the result does not depend on standard_conforming_strings.
     */
    public static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("SQL literal contains a NUL character");
        }
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
