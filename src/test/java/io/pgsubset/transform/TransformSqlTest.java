package io.pgsubset.transform;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.Table;
import io.pgsubset.plan.Transform;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SQL the built-ins render, run by a real server: types, lengths, determinism, keys. */
@PgTest
class TransformSqlTest {
    private static final TransformKey KEY = TransformKey.fromSalt("s3cret".getBytes(StandardCharsets.UTF_8));
    private static final TransformKey OTHER_KEY = TransformKey.fromSalt("other".getBytes(StandardCharsets.UTF_8));
    private static final int ROWS = 5000;

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE person (
                    id bigint PRIMARY KEY,
                    login varchar(20) NOT NULL UNIQUE,
                    email varchar(254),
                    first_name varchar(8) NOT NULL,
                    last_name text,
                    full_name text,
                    phone varchar(12),
                    code char(10),
                    badge integer,
                    tiny smallint,
                    amount numeric(7,2),
                    token uuid,
                    secret bytea,
                    note text
                );
                INSERT INTO person
                SELECT g, 'login' || g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'user' || g || '@corp.example.org' END,
                       'First' || (g % 50), 'Last' || g, 'Full Name ' || g, '+41' || g, 'c' || g, g, (g % 1000)::smallint,
                       g / 3.0, md5(g::text)::uuid, decode(md5(g::text), 'hex'), repeat('x', g % 70)
                  FROM generate_series(1, ROWS) g;
                CREATE TABLE person_copy (LIKE person INCLUDING ALL);
                """.replace("ROWS", Integer.toString(ROWS)));
    }

    private static Table person(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            Catalog catalog = CatalogReader.read(c);
            return catalog.require(new QualifiedName("public", "person"));
        }
    }

    private static Map<String, Transform> everyBuiltIn() {
        Map<String, Transform> t = new LinkedHashMap<>();
        t.put("login", new Transform.Hash());
        t.put("email", new Transform.Email());
        t.put("first_name", new Transform.Name());
        t.put("last_name", new Transform.Name());
        t.put("full_name", new Transform.Name());
        t.put("phone", new Transform.Digits(12));
        t.put("code", new Transform.KeepLength());
        t.put("badge", new Transform.Digits(9));
        t.put("tiny", new Transform.Hash());
        t.put("amount", new Transform.Hash());
        t.put("token", new Transform.Hash());
        t.put("secret", new Transform.Hash());
        t.put("note", new Transform.KeepLength());
        return t;
    }

    private static String select(Table t, Map<String, Transform> transforms, TransformKey key) {
        return "SELECT " + TransformedColumns.sql(t, transforms, key, Optional.empty()) + " FROM person ORDER BY id";
    }

    @Test
    void everyBuiltInGivesValuesTheColumnsAcceptWithTheirConstraints(TestDatabase db) throws SQLException {
        Table t = person(db);
        db.execute("TRUNCATE person_copy; INSERT INTO person_copy " + select(t, everyBuiltIn(), KEY));
        assertEquals(ROWS, db.queryLong("SELECT count(*) FROM person_copy"));
        assertEquals(0, db.queryLong("""
                SELECT count(*) FROM person p JOIN person_copy c USING (id)
                 WHERE c.login = p.login OR c.email = p.email OR c.first_name = p.first_name
                    OR c.last_name = p.last_name OR c.phone = p.phone OR c.token = p.token OR c.secret = p.secret
                """), "a transformed value equals its source");
        assertEquals(0, db.queryLong("""
                SELECT count(*) FROM person p JOIN person_copy c USING (id)
                 WHERE (p.email IS NULL) <> (c.email IS NULL) OR char_length(c.note) <> char_length(p.note)
                    OR c.phone !~ '^[0-9]{12}$' OR c.email !~ '^user[0-9a-f]{20}@example\\.com$'
                    OR c.badge NOT BETWEEN 0 AND 999999999 OR c.tiny < 0 OR abs(c.amount) >= 100000
                """), "NULLs, lengths, formats or ranges not kept");
        assertEquals(ROWS, db.queryLong("SELECT count(DISTINCT email) + count(*) FILTER (WHERE email IS NULL)"
                + " FROM person_copy"), "distinct addresses must stay distinct");
    }

    @Test
    void sameKeyGivesSameValuesAnotherKeyOthers(TestDatabase db) throws SQLException {
        Table t = person(db);
        List<List<String>> first = db.query(select(t, everyBuiltIn(), KEY));
        List<List<String>> again = db.query(select(t, everyBuiltIn(), TransformKey.fromSalt(
                "s3cret".getBytes(StandardCharsets.UTF_8))));
        List<List<String>> other = db.query(select(t, everyBuiltIn(), OTHER_KEY));
        assertEquals(first, again);
        assertNotEquals(first.get(1).get(1), other.get(1).get(1));
        assertNotEquals(first.get(1).get(2), other.get(1).get(2));
    }

    @Test
    void equalValuesOfDifferentTypesHashAlikeForForeignKeys(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE k1 (v integer, t text); INSERT INTO k1 VALUES (42, 'abc');"
                + "CREATE TABLE k2 (v bigint, t varchar(100)); INSERT INTO k2 VALUES (42, 'abc');");
        try (Connection c = db.connect()) {
            Catalog catalog = CatalogReader.read(c);
            Table k1 = catalog.require(new QualifiedName("public", "k1"));
            Table k2 = catalog.require(new QualifiedName("public", "k2"));
            Map<String, Transform> t = Map.of("t", new Transform.Hash());
            String a = db.queryValue("SELECT " + TransformedColumns.sql(k1, t, KEY, Optional.empty()).split(", ", 2)[1]
                    + " FROM k1");
            String b = db.queryValue("SELECT " + TransformedColumns.sql(k2, t, KEY, Optional.empty()).split(", ", 2)[1]
                    + " FROM k2");
            assertEquals(a, b);
            assertEquals(32, a.length());
            assertEquals(ColumnTransform.of(k1.column("t").orElseThrow(), new Transform.Hash()).signature(),
                    ColumnTransform.of(k2.column("t").orElseThrow(), new Transform.Hash()).signature());
        }
    }

    @Test
    void nullAndConstantAndSqlKeepTheColumnType(TestDatabase db) throws SQLException {
        Table t = person(db);
        Map<String, Transform> tr = new LinkedHashMap<>();
        tr.put("email", new Transform.Null());
        tr.put("first_name", new Transform.Constant("it's \\ x"));
        tr.put("last_name", new Transform.Sql("left(last_name, 1) || '.'"));
        tr.put("badge", new Transform.Sql("'7'"));
        List<List<String>> rows = db.query(select(t, tr, KEY));
        assertNull(rows.get(0).get(2));
        assertEquals("it's \\ x", rows.get(0).get(3));
        assertEquals("L.", rows.get(0).get(4));
        assertEquals("7", rows.get(0).get(8));
    }

    @Test
    void refusesWhatCannotFitTheColumn(TestDatabase db) throws SQLException {
        Table t = person(db);
        assertRefused(t, "badge", new Transform.Email(), "email makes text, not integer");
        assertRefused(t, "first_name", new Transform.Email(), "too short for a fake address");
        assertRefused(t, "login", new Transform.Null(), "is NOT NULL");
        assertRefused(t, "first_name", new Transform.Constant("ninechars"), "holds at most 8 characters");
        assertRefused(t, "badge", new Transform.Digits(10), "at most 9 digits");
        assertRefused(t, "phone", new Transform.Digits(13), "at most 12 characters");
        assertRefused(t, "token", new Transform.KeepLength(), "keep_length makes text, not uuid");
        db.execute("CREATE TABLE misc (d date, tiny varchar(4), f double precision)");
        try (Connection c = db.connect()) {
            Table misc = CatalogReader.read(c).require(new QualifiedName("public", "misc"));
            assertRefused(misc, "d", new Transform.Hash(), "hash cannot make a date value");
            assertRefused(misc, "tiny", new Transform.Hash(), "too short for a hash");
            assertRefused(misc, "f", new Transform.Hash(), "hash cannot make a double precision value");
        }
    }

    @Test
    void keyNeverAppearsAsSaltAndRandomKeysDiffer() {
        TransformKey a = TransformKey.random();
        TransformKey b = TransformKey.random();
        assertTrue(a.isRandom());
        assertFalse(KEY.isRandom());
        assertNotEquals(a.seed(0), b.seed(0));
        String sql = new KeyedHash(KEY).int64("\"x\"", 0);
        assertFalse(sql.contains("s3cret"), sql);
        assertEquals(new HashSet<>(List.of(KEY.toString())).size(), 1);
        assertFalse(KEY.toString().contains(KEY.pepper()));
    }

    private static void assertRefused(Table t, String column, Transform transform, String expected) {
        ColumnTransform.Refused r = assertThrows(ColumnTransform.Refused.class,
                () -> ColumnTransform.of(t.column(column).orElseThrow(), transform));
        assertTrue(r.getMessage().contains(expected), r.getMessage());
    }
}
