package io.pgsubset.catalog;

import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@PgTest
class CatalogSizesTest {
    private static TableSize size(TestDatabase db, CatalogReader.Sizes how) throws Exception {
        try (Connection c = db.connect()) {
            return CatalogReader.read(c, List.of(), how).require(new QualifiedName("public", "docs")).size();
        }
    }

    @Test
    void estimatedSizesComeFromPgClassAsOfTheLastVacuumExactOnesFromTheFiles(TestDatabase db) throws Exception {
        db.execute("""
                CREATE TABLE docs (id int PRIMARY KEY, body text);
                INSERT INTO docs SELECT g, repeat(md5(g::text), 10) FROM generate_series(1, 5000) g;
                INSERT INTO docs SELECT 100000 + g, (SELECT string_agg(md5(g::text || x::text), '')
                                                        FROM generate_series(1, 300) x)
                  FROM generate_series(1, 20) g;
                """);
        TableSize exact = size(db, CatalogReader.Sizes.EXACT);
        assertTrue(exact.heap() > 8192 && exact.indexes() > 8192 && exact.toast() > 8192, exact::toString);
        // Never vacuumed: the table's relpages is still 0; the PK's is set by its build (CREATE TABLE, empty).
        assertEquals(0, size(db, CatalogReader.Sizes.ESTIMATED).heap());

        db.execute("VACUUM ANALYZE docs");
        TableSize estimated = size(db, CatalogReader.Sizes.ESTIMATED);
        TableSize exactNow = size(db, CatalogReader.Sizes.EXACT);
        assertEquals(exactNow.heap(), estimated.heap(), "heap pages as VACUUM counted them");
        assertEquals(exactNow.indexes(), estimated.indexes(), "index pages as VACUUM counted them");
        assertTrue(estimated.toast() > 0 && estimated.toast() <= exactNow.toast(), () -> estimated + " vs " + exactNow);
        assertEquals(estimated.heap() + estimated.indexes() + estimated.toast(), estimated.total());
    }
}
