package io.pgsubset.dump;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ScriptManifest;
import io.pgsubset.format.TargetSql;
import io.pgsubset.sql.Ident;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The text of {@code dump --format sql}: one UTF-8 script for psql alone, everything between one
 * BEGIN and the COMMIT on its last line, so a stream cut anywhere commits nothing (psql ends its
 * session at the end of its input, and the server rolls back the open transaction). It sets
 * ON_ERROR_STOP itself, so a failed statement stops psql before a COPY's data could be read as SQL.
 * Sections that verify reads back (post-data, the manifest) are fenced by comment lines carrying a
 * random token named in the first line, which no value of the source can predict.
 */
final class SqlScript {
    private final OutputStream out;
    private final String token;

    SqlScript(OutputStream out, String token) {
        this.out = out;
        this.token = token;
    }

    /** The header comment: where the dump came from and what it holds, before any statement. */
    void header(List<String> lines) throws IOException {
        text(ScriptManifest.firstLine(token) + "\n");
        for (String line : lines) {
            comment(line);
        }
    }

    /** Every line of {@code text} as a {@code --} comment (a line break in a value cannot end it). */
    void comment(String text) throws IOException {
        StringBuilder sb = new StringBuilder();
        text.lines().forEach(l -> sb.append("-- ").append(l).append('\n'));
        text(sb.length() == 0 ? "--\n" : sb.toString());
    }

    private static final String REFUSE_SOURCE = """
            DO \0
            BEGIN
              IF pg_catalog.current_database() = %1$s
                 AND (SELECT system_identifier::text FROM pg_catalog.pg_control_system()) = %2$s THEN
                RAISE EXCEPTION USING MESSAGE = %3$s;
              END IF;
            END
            \0;
            """;

    private static final String REFUSE_NON_EMPTY = """
            DO \0
            DECLARE
              objects bigint := (%1$s);
            BEGIN
              IF objects > 0 THEN
                RAISE EXCEPTION USING MESSAGE = pg_catalog.format(%2$s, pg_catalog.current_database(), objects);
              END IF;
            END
            \0;
            """;

    /**
     * --clean, pg_dump's --clean --if-exists at the grain of a subset: the dump's schemas go with
     * all they hold (public is made again as initdb makes it), then its extensions, its large
     * objects; anything else of the target stays.
     */
    private static final String CLEAN = """
            DO \0
            DECLARE
              s text;
            BEGIN
              FOREACH s IN ARRAY %1$s LOOP
                EXECUTE pg_catalog.format('DROP SCHEMA IF EXISTS %%I CASCADE', s);
              END LOOP;
              FOREACH s IN ARRAY %2$s LOOP
                EXECUTE pg_catalog.format('DROP EXTENSION IF EXISTS %%I', s);
              END LOOP;
              PERFORM pg_catalog.lo_unlink(m.oid) FROM pg_catalog.pg_largeobject_metadata m
                WHERE m.oid = ANY (%3$s);
              IF NOT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'public') THEN
            %4$s  END IF;
            END
            \0;
            """;

    /** What --clean drops: the dump's schemas, extensions and large objects. */
    /**
     * What to drop before loading: the dump's schemas, extensions and large objects, or (with
     * {@code everything}) every schema, extension and large object, as restore --clean does.
     */
    record Clean(List<String> schemas, List<String> extensions, List<Long> largeObjects, boolean everything) {
        static Clean everythingInTheTarget() {
            return new Clean(List.of(), List.of(), List.of(), true);
        }

        Clean {
            schemas = List.copyOf(schemas);
            extensions = List.copyOf(extensions);
            largeObjects = List.copyOf(largeObjects);
        }
    }

    /**
     * ON_ERROR_STOP, UTF-8, BEGIN; then, before anything is written, the refusals: the dump's own
     * source database always, a non-empty target unless {@code clean}, which drops the dump's
     * objects instead.
     */
    void begin(Manifest.Source source, java.util.Optional<Clean> clean) throws IOException {
        text("\\set ON_ERROR_STOP on\nSET client_encoding = 'UTF8';\nBEGIN;\n");
        if (source.systemIdentifier().isPresent()) {
            String message = "pgsubset: this database is the dump's own source (database \"" + source.database()
                    + "\", system identifier " + source.systemIdentifier().get()
                    + "): refusing to load into it; nothing was changed";
            text(dollarQuoted(REFUSE_SOURCE.formatted(Ident.literal(source.database()), Ident.literal(source.systemIdentifier().get()),
                    Ident.literal(message))));
        }
        if (clean.isEmpty()) {
            String message = "pgsubset: the target database %s is not empty (%s schemas, tables, types, routines, "
                    + "extensions or large objects): load this script into an empty database, or dump again with "
                    + "--clean to replace the dump's schemas; nothing was changed";
            text(dollarQuoted(REFUSE_NON_EMPTY.formatted(TargetSql.USER_OBJECTS, Ident.literal(message))));
        } else if (clean.get().everything()) {
            text(TargetSql.CLEAN + "\n");
        } else {
            Clean c = clean.get();
            text(dollarQuoted(CLEAN.formatted(textArray(c.schemas()), textArray(c.extensions()),
                    "'{" + c.largeObjects().stream().map(String::valueOf).collect(Collectors.joining(","))
                            + "}'::pg_catalog.oid[]", TargetSql.PUBLIC_AS_INITDB)));
        }
    }

    /** A file of pg_dump's (a schema section), verbatim, fenced so verify can find it again. */
    void section(String name, Path file) throws IOException {
        text(ScriptManifest.fence(token, name, true) + "\n");
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(out);
        }
        // pg_dump's sections set the search path to nothing and may end without a newline
        text("\n" + ScriptManifest.fence(token, name, false) + "\nSET client_encoding = 'UTF8';\n");
    }

    /** Starts one table's COPY block; the rows follow in text format, then {@link #endCopy}. */
    void startCopy(String table, List<String> columns) throws IOException {
        text("\nCOPY " + table + (columns.isEmpty() ? "" : " (" + Ident.list(columns) + ")") + " FROM stdin;\n");
    }

    /** The raw stream for a COPY block's rows. */
    OutputStream data() {
        return out;
    }

    void endCopy() throws IOException {
        text("\\.\n");
    }

    /** Statements as they are (sequences, refreshes), on lines of their own. */
    void statements(String sql) throws IOException {
        if (!sql.isEmpty()) {
            text("\n" + sql + (sql.endsWith("\n") ? "" : "\n"));
        }
    }

    /** Creates a large object under its OID. */
    void createLargeObject(long oid) throws IOException {
        text("SELECT pg_catalog.lo_create(" + oid + ");\n");
    }

    /** One chunk of a large object's bytes at {@code offset}, as a hex bytea literal. */
    void largeObjectChunk(long oid, long offset, byte[] chunk) throws IOException {
        text("SELECT pg_catalog.lo_put(" + oid + ", " + offset + ", '\\x");
        out.write(HexFormat.of().formatHex(chunk).getBytes(StandardCharsets.US_ASCII));
        text("'::pg_catalog.bytea);\n");
    }

    /** The manifest (rows and row digests are known only now), fenced, as comment lines. */
    void manifest(byte[] json) throws IOException {
        text("\n" + ScriptManifest.fence(token, ScriptManifest.MANIFEST, true) + "\n");
        comment(new String(json, StandardCharsets.UTF_8));
        text(ScriptManifest.fence(token, ScriptManifest.MANIFEST, false) + "\n");
    }

    /** One table's row count as the load must leave it. */
    record RowCheck(String display, String from, long rows) {
    }

    private static final String CHECK_TABLE = """
              n := (SELECT pg_catalog.count(*) FROM %1$s);
              IF n <> %2$d THEN
                RAISE EXCEPTION USING MESSAGE = pg_catalog.format(%3$s, n);
              END IF;
            """;

    /** Raises (and so rolls the whole load back) when a table holds other than the dump's rows. */
    void check(List<RowCheck> tables) throws IOException {
        StringBuilder body = new StringBuilder("DO \0\nDECLARE\n  n bigint;\nBEGIN\n");
        for (RowCheck t : tables) {
            // the message is a format() pattern: a % of the name is doubled
            String message = "pgsubset: " + t.display().replace("%", "%%") + " holds %s rows after the load, the dump has " + t.rows()
                    + ": nothing was loaded";
            body.append(CHECK_TABLE.formatted(t.from(), t.rows(), Ident.literal(message)));
        }
        body.append("  NULL;\nEND\n\0;\n");
        text("\n" + dollarQuoted(body.toString()));
    }

    /** The last line: only a complete script gets here. */
    void commit() throws IOException {
        text("COMMIT;\n");
    }

    /**
     * After a failure while streaming to a reader that may still be listening (a pipe into psql):
     * ends a COPY block that may be open and raises, so psql stops with an error instead of
     * quietly rolling back at the end of its input. Best effort: the pipe may be gone already.
     */
    void abort(String reason, boolean inCopy) {
        try {
            text((inCopy ? "\n\\.\n" : "\n") + dollarQuoted("DO \0 BEGIN RAISE EXCEPTION USING MESSAGE = "
                    + Ident.literal("pgsubset: the dump failed (" + reason + "); nothing was loaded") + "; END \0;\n"));
            out.flush();
        } catch (IOException | RuntimeException e) {
            // the reader is gone: without a COMMIT it loads nothing anyway
            return;
        }
    }

    private void text(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String textArray(List<String> values) {
        return values.isEmpty() ? "'{}'::text[]"
                : "ARRAY[" + values.stream().map(Ident::literal).collect(Collectors.joining(", ")) + "]::text[]";
    }

    /**
     * {@code sql} with each NUL (which no SQL text can hold) replaced by a dollar-quote tag that
     * appears nowhere in it, so no name or value inside can end the quoted body.
     */
    static String dollarQuoted(String sql) {
        for (int i = 0; ; i++) {
            String tag = "$pgsubset" + (i == 0 ? "" : "_" + i) + "$";
            if (!sql.contains(tag)) {
                return sql.replace("\0", tag);
            }
        }
    }
}
