package io.pgsubset.catalog;

/**
 * A live column of a table (dropped columns never appear).
 *
 * @param type     the type as SQL, with its modifier ({@code character varying(20)})
 * @param baseType the type as SQL without modifier, usable in casts such as {@code ::type[]}
 * @param generated a generated column (STORED, or VIRTUAL from PostgreSQL 18): never written, never dumped
 */
public record Column(String name, int position, String type, String baseType, boolean notNull,
                     boolean generated, Identity identity, boolean hasDefault) {
    public enum Identity { NONE, ALWAYS, BY_DEFAULT }

    public Column {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(type, "type");
        java.util.Objects.requireNonNull(baseType, "baseType");
        java.util.Objects.requireNonNull(identity, "identity");
    }

    /** Whether a dump writes this column: everything but generated columns. */
    public boolean dumped() {
        return !generated;
    }
}
