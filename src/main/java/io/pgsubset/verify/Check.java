package io.pgsubset.verify;

/**
 * One verified object and its outcome.
 *
 * @param kind   table, foreign key, sequence, or the database itself (encoding, locale, settings,
 *               comment: a difference there is a warning, see {@link VerifyReport#warnings})
 * @param object the object's display name
 * @param detail what was compared or what differs
 */
public record Check(Kind kind, String object, boolean ok, String detail) {
    public enum Kind {
        TABLE("table"), FOREIGN_KEY("foreign key"), SEQUENCE("sequence"), MATERIALIZED_VIEW("materialized view"),
        LARGE_OBJECT("large objects"), DATABASE("database");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
