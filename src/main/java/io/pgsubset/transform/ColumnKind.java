package io.pgsubset.transform;

import io.pgsubset.catalog.Column;

import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a column's type allows the built-in transforms to produce, read from its SQL type name
 * ({@code format_type} output). Unknown names (domains, extension types) are treated as text and
 * cast, and the server's probe in {@code plan check} tells whether that works.
 *
 * @param maxLength for text: the declared length of varchar(n)/char(n)
 * @param maxDigits for numbers: how many decimal digits an integral value may have
 */
record ColumnKind(Family family, OptionalInt maxLength, int maxDigits, String type) {
    enum Family { TEXT, INTEGER, DECIMAL, FLOAT, UUID, BYTEA, OTHER_TEXT, UNSUPPORTED }

    private static final Pattern LENGTH = Pattern.compile("(character varying|character|bit varying|bit)\\((\\d+)\\)");
    private static final Pattern NUMERIC = Pattern.compile("numeric\\((\\d+)(?:,(\\d+))?\\)");
    private static final Set<String> TEXT_TYPES = Set.of("text", "character varying", "character", "name", "citext");
    /** Types no text-producing built-in can sensibly fill; an SQL expression can. */
    private static final Set<String> UNSUPPORTED = Set.of("boolean", "date", "interval", "json", "jsonb", "xml",
            "inet", "cidr", "macaddr", "macaddr8", "money", "point", "line", "lseg", "box", "path", "polygon",
            "circle", "tsvector", "tsquery", "oid", "\"char\"", "pg_lsn", "txid_snapshot", "pg_snapshot",
            "jsonpath", "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange", "regclass");

    static ColumnKind of(Column column) {
        String type = column.type();
        String base = column.baseType();
        if (type.endsWith("]")) {
            return new ColumnKind(Family.UNSUPPORTED, OptionalInt.empty(), 0, type);
        }
        String bare = base.replaceFirst("^(pg_catalog|public)\\.", "");
        if (TEXT_TYPES.contains(bare)) {
            Matcher m = LENGTH.matcher(type);
            OptionalInt len = m.find() ? OptionalInt.of(Integer.parseInt(m.group(2)))
                    : "character".equals(bare) ? OptionalInt.of(1) : OptionalInt.empty();
            return new ColumnKind(Family.TEXT, len, 0, type);
        }
        switch (bare) {
            case "smallint":
                return new ColumnKind(Family.INTEGER, OptionalInt.empty(), 4, type);
            case "integer":
                return new ColumnKind(Family.INTEGER, OptionalInt.empty(), 9, type);
            case "bigint":
                return new ColumnKind(Family.INTEGER, OptionalInt.empty(), 18, type);
            case "real":
                return new ColumnKind(Family.FLOAT, OptionalInt.empty(), 6, type);
            case "double precision":
                return new ColumnKind(Family.FLOAT, OptionalInt.empty(), 15, type);
            case "uuid":
                return new ColumnKind(Family.UUID, OptionalInt.empty(), 0, type);
            case "bytea":
                return new ColumnKind(Family.BYTEA, OptionalInt.empty(), 0, type);
            case "numeric": {
                Matcher m = NUMERIC.matcher(type);
                int digits = 36;
                if (m.find()) {
                    int precision = Integer.parseInt(m.group(1));
                    int scale = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
                    digits = Math.max(0, precision - scale);
                }
                return new ColumnKind(Family.DECIMAL, OptionalInt.empty(), digits, type);
            }
            default:
                break;
        }
        if (UNSUPPORTED.contains(bare) || bare.startsWith("time") || bare.startsWith("bit")) {
            return new ColumnKind(Family.UNSUPPORTED, OptionalInt.empty(), 0, type);
        }
        return new ColumnKind(Family.OTHER_TEXT, OptionalInt.empty(), 0, type);
    }

    boolean textual() {
        return family == Family.TEXT || family == Family.OTHER_TEXT;
    }
}
