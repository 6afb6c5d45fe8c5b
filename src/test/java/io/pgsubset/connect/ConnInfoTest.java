package io.pgsubset.connect;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConnInfoTest {
    @Test
    void parsesUrisWithEncodedPartsAndParameters() {
        Map<String, String> m = ConnInfo.parse("postgresql://us%40er:p%3Ass@db.example.com:6543/my%20db?sslmode=require");
        assertEquals("us@er", m.get("user"));
        assertEquals("p:ss", m.get("password"));
        assertEquals("db.example.com", m.get("host"));
        assertEquals("6543", m.get("port"));
        assertEquals("my db", m.get("dbname"));
        assertEquals("require", m.get("sslmode"));
    }

    @Test
    void parsesKeywordStringsWithQuotes() {
        Map<String, String> m = ConnInfo.parse("host=h1 port=5433 dbname='my \\'db\\'' user=bob");
        assertEquals("h1", m.get("host"));
        assertEquals("my 'db'", m.get("dbname"));
        assertEquals("bob", m.get("user"));
    }

    @Test
    void flagsWinOverTheConnectionStringAndEnvironment() {
        ConnectionTarget t = ConnectionTarget.resolve(new ConnectionOptions(java.util.Optional.of("flaghost"),
                java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.of("postgresql://u@urihost:7000/db"), true), Map.of("PGHOST", "envhost",
                "PGPORT", "9999", "PGUSER", "envuser"));
        assertEquals("flaghost", t.host());
        assertEquals(7000, t.port());
        assertEquals("u", t.user());
        assertEquals("db", t.dbname());
    }
}
