package io.pgsubset.verify;

import io.pgsubset.format.DumpLayout;
import io.pgsubset.database.DatabaseComparison;
import io.pgsubset.database.DatabaseProperties;
import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.RowDigest;
import io.pgsubset.sql.Ident;
import io.pgsubset.sql.Session;
import io.pgsubset.verify.Check.Kind;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code pgsubset verify}: compares a restored database with the dump's manifest. Per table, the
 * row count and the order-independent {@link RowDigest} of a COPY of the manifest's columns, under
 * the same {@link Session} settings as the dump, through an extension's filter as the dump read it
 * ({@link TableContent}); every foreign key (NOT VALID ones included) by one
 * anti-join per key, and that none of the dump's keys is missing; every sequence at least as far
 * as in the dump; every materialized view populated exactly when it was in the source (with its
 * row count); the database's encoding, locale, settings and comment against the source's.
 */
public final class Verifier {
    private final Connection conn;
    private final RowsListener listener;

    /** Told about each table as it is read (for progress). */
    public interface RowsListener {
        void table(String name, long rows, long millis);
    }

    public Verifier(Connection conn, RowsListener listener) {
        this.conn = conn;
        this.listener = listener;
    }

    public VerifyReport run(Manifest manifest, Path dumpDir) {
        return run(manifest, ExpectedForeignKeys.read(dumpDir.resolve(DumpLayout.POST_DATA)));
    }

    /** Against a manifest and the post-data SQL that names the foreign keys (a SQL script's own section). */
    public VerifyReport run(Manifest manifest, String postDataSql) {
        return run(manifest, ExpectedForeignKeys.parse(postDataSql));
    }

    private VerifyReport run(Manifest manifest, Set<ExpectedForeignKeys.Key> expectedKeys) {
        try {
            Session.configure(conn);
            List<Check> checks = new ArrayList<>();
            for (Manifest.TableEntry t : manifest.tables()) {
                checks.add(table(t));
            }
            checks.addAll(foreignKeys(expectedKeys));
            for (JsonNode relation : manifest.plan().path("relations")) {
                if (!relation.path("declared").asBoolean(false)) {
                    checks.add(relation(relation));
                }
            }
            for (Manifest.SequenceEntry s : manifest.sequences()) {
                checks.add(sequence(s));
            }
            for (Manifest.MaterializedViewEntry v : manifest.materializedViews()) {
                checks.add(MaterializedViewCheck.of(conn, v));
            }
            checks.addAll(LargeObjectCheck.of(conn, manifest));
            manifest.database().ifPresent(source -> DatabaseComparison.compare(DatabaseProperties.read(conn), source)
                    .forEach(i -> checks.add(new Check(Kind.DATABASE, i.object(), i.same(), i.detail()))));
            return new VerifyReport(conn.getCatalog(), checks);
        } catch (SQLException e) {
            throw new PgsubsetException("verify failed: " + Messages.firstLine(e), e);
        }
    }

    private Optional<String> relkind(String schema, String name) throws SQLException {
        return TableContent.relkind(conn, schema, name);
    }

    private Check table(Manifest.TableEntry t) throws SQLException {
        TableContent.Source source = TableContent.Source.of(t);
        long start = System.nanoTime();
        Optional<TableContent.Reading> reading;
        try {
            reading = TableContent.read(conn, source);
        } catch (SQLException e) {
            return TableContent.unreadable(source, e);
        }
        if (reading.isEmpty()) {
            return TableContent.missing(source);
        }
        listener.table(t.schema() + "." + t.name(), reading.get().rows(), (System.nanoTime() - start) / 1_000_000);
        return TableContent.check(source, t.rows(), t.rowDigest(), reading.get());
    }

    /**
     * Every declared foreign key of the target, once (not the per-partition clones); {@code %s} is
     * whether it is temporal ({@code PERIOD}, PostgreSQL 18's conperiod).
     */
    private static final String FOREIGN_KEYS = """
            SELECT con.conname, cn.nspname, c.relname, c.relkind, pn.nspname, p.relname, p.relkind,
                   con.convalidated, con.confmatchtype = 'f',
                   ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i)
                           JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                          ORDER BY k.i),
                   ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, i)
                           JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                          ORDER BY k.i),
                   %s
              FROM pg_catalog.pg_constraint con
              JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
              JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
              JOIN pg_catalog.pg_class p ON p.oid = con.confrelid
              JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
             WHERE con.contype = 'f' AND con.conparentid = 0
             ORDER BY 2, 3, 1""";

    private List<Check> foreignKeys(Set<ExpectedForeignKeys.Key> expected) throws SQLException {
        List<Check> checks = new ArrayList<>();
        Set<ExpectedForeignKeys.Key> missing = new java.util.LinkedHashSet<>(expected);
        List<ForeignKeyCheck> fks = new ArrayList<>();
        String sql = FOREIGN_KEYS.formatted(conn.getMetaData().getDatabaseMajorVersion() >= 18 ? "con.conperiod" : "false");
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                fks.add(new ForeignKeyCheck(rs.getString(1), rs.getString(2), rs.getString(3),
                        "r".equals(rs.getString(4)), rs.getString(5), rs.getString(6), "r".equals(rs.getString(7)),
                        rs.getBoolean(8), rs.getBoolean(9), strings(rs.getArray(10)), strings(rs.getArray(11)),
                        rs.getBoolean(12)));
            }
        }
        for (ForeignKeyCheck k : fks) {
            missing.remove(new ExpectedForeignKeys.Key(k.schema(), k.table(), k.name()));
            long violations;
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(k.violationsSql())) {
                rs.next();
                violations = rs.getLong(1);
            }
            String validity = k.validated() ? "" : " (NOT VALID in the schema)";
            checks.add(violations == 0
                    ? new Check(Kind.FOREIGN_KEY, k.display(), true, "every row has its parent" + validity)
                    : new Check(Kind.FOREIGN_KEY, k.display(), false, violations + " rows reference no row of "
                    + k.parentSchema() + "." + k.parentTable() + validity));
        }
        for (ExpectedForeignKeys.Key key : missing) {
            checks.add(new Check(Kind.FOREIGN_KEY, key.display(), false,
                    "missing: the dump's schema has this foreign key, the database does not"));
        }
        return checks;
    }

    /**
     * A plan's {@code relations:} entry: a foreign key the database does not declare, which the
     * subset honoured, so the restored rows must satisfy it too (MATCH SIMPLE).
     */
    private Check relation(JsonNode r) throws SQLException {
        String label = "relation " + r.path("child").asText() + " -> " + r.path("parent").asText();
        Optional<String[]> child = ExpectedForeignKeys.qualifiedName(r.path("child").asText());
        Optional<String[]> parent = ExpectedForeignKeys.qualifiedName(r.path("parent").asText());
        if (child.isEmpty() || parent.isEmpty()) {
            return new Check(Kind.FOREIGN_KEY, label, false, "cannot read the relation in the manifest's plan");
        }
        Optional<String> childKind = relkind(child.get()[0], child.get()[1]);
        Optional<String> parentKind = relkind(parent.get()[0], parent.get()[1]);
        if (childKind.isEmpty() || parentKind.isEmpty()) {
            return new Check(Kind.FOREIGN_KEY, label, false, "missing: a table of the relation does not exist");
        }
        ForeignKeyCheck k = new ForeignKeyCheck(r.path("name").asText(), child.get()[0], child.get()[1],
                "r".equals(childKind.get()), parent.get()[0], parent.get()[1], "r".equals(parentKind.get()), true,
                false, texts(r.path("child_columns")), texts(r.path("parent_columns")), false);
        long violations;
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(k.violationsSql())) {
            rs.next();
            violations = rs.getLong(1);
        }
        return violations == 0 ? new Check(Kind.FOREIGN_KEY, label, true, "every row has its parent (plan relation)")
                : new Check(Kind.FOREIGN_KEY, label, false, violations + " rows reference no row of "
                + r.path("parent").asText() + " (plan relation)");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }

    private static final String SEQUENCE_INCREMENT = """
            SELECT s.seqincrement FROM pg_catalog.pg_sequence s
              JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ?""";

    private Check sequence(Manifest.SequenceEntry s) throws SQLException {
        String display = s.schema() + "." + s.name();
        long increment;
        try (PreparedStatement ps = conn.prepareStatement(SEQUENCE_INCREMENT)) {
            ps.setString(1, s.schema());
            ps.setString(2, s.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Check(Kind.SEQUENCE, display, false, "missing: no such sequence");
                }
                increment = rs.getLong(1);
            }
        }
        long lastValue;
        boolean called;
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM "
                + Ident.quote(s.schema(), s.name()))) {
            rs.next();
            lastValue = rs.getLong(1);
            called = rs.getBoolean(2);
        }
        long next = called ? lastValue + increment : lastValue;
        long expectedNext = s.isCalled() ? s.lastValue() + increment : s.lastValue();
        boolean ok = increment > 0 ? next >= expectedNext : next <= expectedNext;
        return new Check(Kind.SEQUENCE, display, ok, ok ? "next value " + next + ", the dump's " + expectedNext
                : "behind the dump: next value " + next + ", the dump's " + expectedNext);
    }
}
