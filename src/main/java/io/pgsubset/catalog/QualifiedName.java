package io.pgsubset.catalog;

import io.pgsubset.sql.Ident;

import java.util.Comparator;
import java.util.Objects;

/** A schema-qualified relation name, kept raw (as stored in the catalog); quoted only when rendered. */
public record QualifiedName(String schema, String name) implements Comparable<QualifiedName> {
    private static final Comparator<QualifiedName> ORDER =
            Comparator.comparing(QualifiedName::schema).thenComparing(QualifiedName::name);

    public QualifiedName {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
    }

    /** The name as SQL: both parts always quoted. */
    public String sql() {
        return Ident.quote(schema, name);
    }

    /** The name for people: quoted only where SQL would need it, like regclass output. */
    public String display() {
        return displayPart(schema) + "." + displayPart(name);
    }

    /** A name safe as a file name part: the display name with '/' and NUL-like characters replaced. */
    public String fileStem() {
        StringBuilder sb = new StringBuilder();
        for (char c : (schema + "." + name).toCharArray()) {
            sb.append(c == '/' || c == '\\' || c < 32 ? '_' : c);
        }
        return sb.toString();
    }

    static String displayPart(String part) {
        if (Ident.isPlain(part) && !SqlKeywords.isReserved(part)) {
            return part;
        }
        return Ident.quote(part);
    }

    /**
     * The record's equality, written out: the generated one links a bootstrap method the first time
     * it runs (11 ms of a dump's start-up), and this is the key of nearly every map.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof QualifiedName q && schema.equals(q.schema) && name.equals(q.name);
    }

    /** The record's hash (31 * schema + name), without its bootstrap method; see {@link #equals}. */
    @Override
    public int hashCode() {
        return 31 * schema.hashCode() + name.hashCode();
    }

    @Override
    public int compareTo(QualifiedName o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return display();
    }
}
