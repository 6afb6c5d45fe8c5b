package io.pgsubset.plan;

import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.sql.Ident;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A table name as the plan writes it: {@code orders}, {@code sales.orders}, {@code auth_*},
 * {@code "My Table"}, {@code "odd.schema"."t"}. Names match exactly as stored (never case-folded);
 * double quotes, as in SQL, protect dots, quotes and glob characters. Unquoted parts may use the
 * globs {@code *} and {@code ?}.
 *
 * @param text   the name as written
 * @param schema the schema part, absent for a bare name
 */
public record NamePattern(String text, Optional<Part> schema, Part name, Position position) {

    /** One dot-separated part; quoted parts are literal. */
    public record Part(String text, boolean quoted) {
        public boolean isGlob() {
            return !quoted && (text.indexOf('*') >= 0 || text.indexOf('?') >= 0);
        }

        public boolean matches(String stored) {
            if (!isGlob()) {
                return text.equals(stored);
            }
            StringBuilder re = new StringBuilder();
            for (char c : text.toCharArray()) {
                if (c == '*') {
                    re.append(".*");
                } else if (c == '?') {
                    re.append('.');
                } else {
                    re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(re.toString(), Pattern.DOTALL).matcher(stored).matches();
        }
    }

    public boolean isGlob() {
        return name.isGlob() || schema.map(Part::isGlob).orElse(false);
    }

    public boolean matches(QualifiedName table) {
        return name.matches(table.name()) && schema.map(s -> s.matches(table.schema())).orElse(true);
    }

    /** Parses a written name; the message of the exception says what is wrong with it. */
    public static NamePattern parse(String text, Position position) {
        List<Part> parts = splitParts(text.strip());
        if (parts.size() == 1) {
            return new NamePattern(text, Optional.empty(), parts.get(0), position);
        }
        if (parts.size() == 2) {
            return new NamePattern(text, Optional.of(parts.get(0)), parts.get(1), position);
        }
        throw new IllegalArgumentException("\"" + text + "\" has " + parts.size()
                + " dot-separated parts, a table name has at most two (schema.table)");
    }

    /** Splits {@code a."b.c"} into parts, undoubling {@code ""} inside quotes. */
    static List<Part> splitParts(String text) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (true) {
            if (i < n && text.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = text.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && text.charAt(i + 1) == '"') {
                            sb.append('"');
                            i += 2;
                            continue;
                        }
                        closed = true;
                        i++;
                        break;
                    }
                    sb.append(c);
                    i++;
                }
                if (!closed) {
                    throw new IllegalArgumentException("\"" + text + "\" has an unclosed double quote");
                }
                if (sb.isEmpty()) {
                    throw new IllegalArgumentException("\"" + text + "\" has an empty quoted name");
                }
                parts.add(new Part(sb.toString(), true));
            } else {
                int start = i;
                while (i < n && text.charAt(i) != '.' && text.charAt(i) != '"') {
                    i++;
                }
                String part = text.substring(start, i);
                if (part.isEmpty() || !part.strip().equals(part)) {
                    throw new IllegalArgumentException(part.isEmpty() ? "\"" + text + "\" has an empty name part"
                            : "\"" + text + "\" has spaces around a name part (quote names with spaces: '\"My Table\"')");
                }
                if (i < n && text.charAt(i) == '"') {
                    throw new IllegalArgumentException("\"" + text + "\" has a double quote inside a name part");
                }
                parts.add(new Part(part, false));
            }
            if (i == n) {
                return parts;
            }
            if (text.charAt(i) != '.') {
                throw new IllegalArgumentException("\"" + text + "\" continues after a quoted name; separate parts with a dot");
            }
            i++;
        }
    }

    /** How the plan writes a table: bare when unambiguous and plain, parts quoted where needed. */
    public static String render(QualifiedName table, boolean qualify) {
        String name = renderPart(table.name());
        return qualify ? renderPart(table.schema()) + "." + name : name;
    }

    static String renderPart(String part) {
        return Ident.isPlain(part) ? part : '"' + part.replace("\"", "\"\"") + '"';
    }
}
