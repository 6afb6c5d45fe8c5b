package io.pgsubset.transform;

/**
 * The SQL of keyed 64-bit hashes of a value: {@code hashtextextended(value || secret, seed)}. The
 * value is hashed as its text form in the "C" collation, so equal values of a referencing and a
 * referenced column (integer and bigint, varchar and text) hash alike, and a nondeterministic
 * collation cannot merge distinct values.
 */
final class KeyedHash {
    /** Stands for any key where only the shape of the SQL matters (signatures). */
    static final KeyedHash PLACEHOLDER = new KeyedHash(new long[] {1, 2}, "key");
    private static final String SIGN_BIT = "CAST('-9223372036854775808' AS bigint)";

    private final long[] seeds;
    private final String pepper;

    KeyedHash(TransformKey key) {
        this(new long[] {key.seed(0), key.seed(1)}, key.pepper());
    }

    private KeyedHash(long[] seeds, String pepper) {
        this.seeds = seeds;
        this.pepper = pepper;
    }

    /** The {@code i}th (0 or 1) independent keyed hash of the value, a bigint; NULL stays NULL. */
    String int64(String value, int i) {
        return "hashtextextended(CAST(" + value + " AS text) COLLATE \"C\" || '" + pepper + "', CAST('" + seeds[i]
                + "' AS bigint))";
    }

    /**
     * {@code width} (at most 32) lowercase hex digits. With the top bit forced on, to_hex always
     * prints 16 digits, so no padding is needed; that costs one bit per 16 digits.
     */
    String hex(String value, int width) {
        if (width < 1 || width > 32) {
            throw new IllegalArgumentException("hex width " + width);
        }
        String first = "to_hex(" + int64(value, 0) + " | " + SIGN_BIT + ")";
        if (width < 16) {
            return "left(" + first + ", " + width + ")";
        }
        if (width == 16) {
            return first;
        }
        String second = "to_hex(" + int64(value, 1) + " | " + SIGN_BIT + ")";
        return "(" + first + " || " + (width == 32 ? second : "left(" + second + ", " + (width - 16) + ")") + ")";
    }
}
