package io.pgsubset.transform;

import io.pgsubset.catalog.Column;
import io.pgsubset.plan.Transform;
import io.pgsubset.sql.Ident;

import java.util.Locale;
import java.util.Optional;

/**
 * One column's transform, checked against the column's type and ready to render as the SQL
 * expression that replaces the column in the dump's COPY query. Built with {@link #of}, which
 * refuses what cannot give a valid value of the column's type.
 *
 * <p>The deterministic built-ins rest on one keyed 64-bit hash, PostgreSQL's own
 * {@code hashtextextended} (present since PostgreSQL 11) with a secret seed and a secret suffix
 * appended to the value: it costs about as much as reading the value, so a cleaned table still
 * streams at COPY speed (sha256/md5 cost some 20 times more per value in the server). It is
 * keyed, not a cryptographic MAC; the README says what that means.
 */
public final class ColumnTransform {
    /** Bits of a pseudonym below which distinct keys are expected to collide in big tables. */
    static final int UNIQUE_BITS = 60;
    private static final String LOW_63 = "CAST('9223372036854775807' AS bigint)";
    private static final String EMAIL_DOMAIN = "@example.com";

    private final Column column;
    private final Transform transform;
    private final ColumnKind kind;
    private final Body body;

    /** The inner expression of a transform, given the key and the SQL of the column's value. */
    private interface Body {
        String sql(KeyedHash h, String value);
    }

    /** Why a transform does not fit its column: the message names column and type and says what fits. */
    public static final class Refused extends Exception {
        private final String fix;

        Refused(String message, String fix) {
            super(message, null, false, false);
            this.fix = fix;
        }

        public String fix() {
            return fix;
        }
    }

    private ColumnTransform(Column column, Transform transform, ColumnKind kind, Body body) {
        this.column = column;
        this.transform = transform;
        this.kind = kind;
        this.body = body;
    }

    public Column column() {
        return column;
    }

    public Transform transform() {
        return transform;
    }

    /** The transform for people and the manifest: {@code email}, {@code digits: 8}, {@code sql: ...}. */
    public String description() {
        return describe(transform);
    }

    public static String describe(Transform t) {
        return t.argument().map(a -> t.keyword() + ": " + a).orElse(t.keyword());
    }


    /**
     * The expression that replaces the column, cast back to the column's type (with its length or
     * precision), so the restored table takes the value as it is.
     *
     * @param value the column as SQL in the COPY query (a quoted name, maybe alias-qualified)
     */
    public String sql(TransformKey key, String value) {
        return "CAST(" + body.sql(new KeyedHash(key), value) + " AS " + column.type() + ")";
    }

    /**
     * What the transform computes from a value, independent of key and column name: two columns
     * with the same signature turn equal values into equal values (what a foreign key needs).
     */
    public String signature() {
        return transform.deterministic() ? body.sql(KeyedHash.PLACEHOLDER, "$value") : "not deterministic";
    }

    /** Empty when distinct values stay distinct in practice; else why a UNIQUE constraint would break. */
    public Optional<String> uniquenessLoss() {
        if (transform instanceof Transform.Null) {
            return column.notNull() ? Optional.of("null gives every row NULL") : Optional.empty();
        }
        if (transform instanceof Transform.Constant) {
            return Optional.of("a constant gives every row the same value");
        }
        if (transform instanceof Transform.Name) {
            return Optional.of("name picks from 64 fake names (4096 full names), so rows share names");
        }
        if (transform instanceof Transform.KeepLength) {
            return Optional.of("keep_length gives short values few choices (a 2-letter value has 256)");
        }
        if (transform instanceof Transform.Sql) {
            return Optional.empty();
        }
        int bits = uniqueBits();
        return bits >= UNIQUE_BITS ? Optional.empty()
                : Optional.of(describe(transform) + " on " + column.type() + " keeps only about " + bits
                        + " bits, so distinct values collide in big tables");
    }

    /** Roughly how many bits of the value survive a deterministic built-in. */
    private int uniqueBits() {
        if (transform instanceof Transform.Digits d) {
            return (int) Math.floor(Math.min(d.n(), 36) * Math.log(10) / Math.log(2));
        }
        if (transform instanceof Transform.Email) {
            return hexBits(emailWidth(kind));
        }
        // Hash
        return switch (kind.family()) {
            case INTEGER -> kind.maxDigits() == 4 ? 15 : kind.maxDigits() == 9 ? 31 : 63;
            case DECIMAL -> kind.maxDigits() >= 19 ? 63
                    : (int) Math.floor(kind.maxDigits() * Math.log(10) / Math.log(2));
            case UUID, BYTEA -> 126;
            default -> hexBits(hashWidth(kind));
        };
    }

    private static int hexBits(int width) {
        return 4 * width - (width > 16 ? 2 : 1);
    }

    // ---- building

    /** Checks that the transform makes sense for the column's type and prepares its SQL. */
    public static ColumnTransform of(Column column, Transform transform) throws Refused {
        ColumnKind kind = ColumnKind.of(column);
        return new ColumnTransform(column, transform, kind, body(column, transform, kind));
    }

    private static Body body(Column column, Transform t, ColumnKind kind) throws Refused {
        String where = column.name() + " (" + column.type() + ")";
        if (t instanceof Transform.Sql s) {
            String expression = s.expression();
            return (h, v) -> "(" + expression + "\n)";
        }
        if (t instanceof Transform.Null) {
            if (column.notNull()) {
                throw new Refused(where + " is NOT NULL, so it cannot be null",
                        "use constant: or a deterministic built-in, or drop the NOT NULL in the source");
            }
            return (h, v) -> "NULL";
        }
        if (t instanceof Transform.Constant c) {
            String value = c.value();
            if (kind.family() == ColumnKind.Family.TEXT && kind.maxLength().isPresent()
                    && value.codePointCount(0, value.length()) > kind.maxLength().getAsInt()) {
                throw new Refused(where + " holds at most " + kind.maxLength().getAsInt()
                        + " characters; the constant has " + value.codePointCount(0, value.length()),
                        "use a shorter constant");
            }
            return (h, v) -> Ident.literal(value);
        }
        if (t instanceof Transform.Hash) {
            return hash(where, kind);
        }
        if (t instanceof Transform.Email) {
            requireText(where, kind, "email");
            int width = emailWidth(kind);
            if (width < 12) {
                throw new Refused(where + " is too short for a fake address (email needs 28 characters)",
                        "use hash or an SQL expression");
            }
            return (h, v) -> "'user' || " + h.hex(v, width) + " || '" + EMAIL_DOMAIN + "'";
        }
        if (t instanceof Transform.Name) {
            requireText(where, kind, "name");
            return name(column.name(), kind);
        }
        if (t instanceof Transform.Digits d) {
            return digits(where, kind, d.n());
        }
        if (t instanceof Transform.KeepLength) {
            requireText(where, kind, "keep_length");
            return (h, v) -> {
                String len = "char_length(CAST(" + v + " AS text))";
                return "translate(left(repeat(" + h.hex(v, 32) + ", (" + len + " + 31) / 32), " + len
                        + "), '0123456789', 'ghijklmnop')";
            };
        }
        throw new IllegalArgumentException("unknown transform " + t);
    }

    private static void requireText(String where, ColumnKind kind, String builtIn) throws Refused {
        if (!kind.textual()) {
            throw new Refused(where + ": " + builtIn + " makes text, not " + kind.type(),
                    kind.family() == ColumnKind.Family.INTEGER || kind.family() == ColumnKind.Family.DECIMAL
                            ? "use hash or digits: N on numbers" : "use an SQL expression or constant:");
        }
    }

    private static Body hash(String where, ColumnKind kind) throws Refused {
        switch (kind.family()) {
            case INTEGER: {
                String mask = kind.maxDigits() == 4 ? "32767" : kind.maxDigits() == 9 ? "2147483647" : LOW_63;
                return (h, v) -> "(" + h.int64(v, 0) + " & " + mask + ")";
            }
            case DECIMAL: {
                if (kind.maxDigits() < 1) {
                    throw new Refused(where + " has no integral digits to hash into", "use an SQL expression");
                }
                if (kind.maxDigits() >= 19) {
                    return (h, v) -> "(" + h.int64(v, 0) + " & " + LOW_63 + ")";
                }
                String mod = pow10(kind.maxDigits());
                return (h, v) -> "((" + h.int64(v, 0) + " & " + LOW_63 + ") % " + mod + ")";
            }
            case UUID:
                return (h, v) -> h.hex(v, 32);
            case BYTEA:
                return (h, v) -> "decode(" + h.hex(v, 32) + ", 'hex')";
            case TEXT:
            case OTHER_TEXT: {
                int width = hashWidth(kind);
                if (width < 8) {
                    throw new Refused(where + " is too short for a hash (it needs at least 8 characters)",
                            "use digits: N, constant: or an SQL expression");
                }
                return (h, v) -> h.hex(v, width);
            }
            default:
                throw new Refused(where + ": hash cannot make a " + kind.type() + " value",
                        kind.family() == ColumnKind.Family.FLOAT ? "use digits: N" : "use an SQL expression");
        }
    }

    private static Body digits(String where, ColumnKind kind, int n) throws Refused {
        if (n < 1 || n > 36) {
            throw new Refused(where + ": digits: " + n + " is out of range", "use digits: N with N from 1 to 36");
        }
        switch (kind.family()) {
            case TEXT:
            case OTHER_TEXT: {
                if (kind.maxLength().isPresent() && n > kind.maxLength().getAsInt()) {
                    throw new Refused(where + " holds at most " + kind.maxLength().getAsInt()
                            + " characters, fewer than digits: " + n, "use digits: " + kind.maxLength().getAsInt());
                }
                return (h, v) -> n <= 18 ? digitText(h, v, 0, n)
                        : digitText(h, v, 0, 18) + " || " + digitText(h, v, 1, n - 18);
            }
            case INTEGER:
            case DECIMAL:
            case FLOAT: {
                int max = Math.min(kind.maxDigits(), 18);
                if (n > max) {
                    throw new Refused(where + " takes at most " + max + " digits here, fewer than digits: " + n,
                            max > 0 ? "use digits: " + max : "use an SQL expression");
                }
                String mod = pow10(n);
                return (h, v) -> "((" + h.int64(v, 0) + " & " + LOW_63 + ") % " + mod + ")";
            }
            default:
                throw new Refused(where + ": digits cannot make a " + kind.type() + " value",
                        "use an SQL expression or constant:");
        }
    }

    /** Exactly {@code n} (at most 18) decimal digits, leading zeros kept. */
    private static String digitText(KeyedHash h, String v, int hashIndex, int n) {
        String mod = pow10(n);
        return "substr(CAST((" + h.int64(v, hashIndex) + " & " + LOW_63 + ") % " + mod + " + " + mod
                + " AS text), 2)";
    }

    private static Body name(String columnName, ColumnKind kind) {
        String lower = columnName.toLowerCase(Locale.ROOT);
        boolean last = lower.contains("last") || lower.contains("surname") || lower.contains("family");
        boolean first = !last && (lower.contains("first") || lower.contains("given") || lower.contains("fore"));
        String firsts = array(FakeNames.FIRST);
        String lasts = array(FakeNames.LAST);
        int mask = FakeNames.SIZE - 1;
        Body full;
        if (first) {
            full = (h, v) -> firsts + "[1 + CAST(" + h.int64(v, 0) + " & " + mask + " AS integer)]";
        } else if (last) {
            full = (h, v) -> lasts + "[1 + CAST(" + h.int64(v, 0) + " & " + mask + " AS integer)]";
        } else {
            full = (h, v) -> firsts + "[1 + CAST(" + h.int64(v, 0) + " & " + mask + " AS integer)] || ' ' || "
                    + lasts + "[1 + CAST(" + h.int64(v, 1) + " & " + mask + " AS integer)]";
        }
        if (kind.maxLength().isEmpty()) {
            return full;
        }
        int max = kind.maxLength().getAsInt();
        return (h, v) -> "left(" + full.sql(h, v) + ", " + max + ")";
    }

    private static String array(java.util.List<String> names) {
        return "(CAST(" + Ident.literal("{" + String.join(",", names) + "}") + " AS text[]))";
    }

    private static int hashWidth(ColumnKind kind) {
        return Math.min(32, kind.maxLength().orElse(32));
    }

    private static int emailWidth(ColumnKind kind) {
        return Math.min(20, kind.maxLength().orElse(36) - 4 - EMAIL_DOMAIN.length());
    }

    private static String pow10(int n) {
        return java.math.BigInteger.TEN.pow(n).toString();
    }

    @Override
    public String toString() {
        return column.name() + ": " + description();
    }
}
