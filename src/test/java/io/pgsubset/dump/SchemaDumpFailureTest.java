package io.pgsubset.dump;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a failed pg_dump's output comes to in the dump's one error line. */
class SchemaDumpFailureTest {
    @Test
    void theErrorAndItsDetailNotTheQueryTextAfterThem() {
        // pg_dump 15 on a standby whose replay cancelled its catalog query
        String output = """
                pg_dump: error: query failed: ERROR:  canceling statement due to conflict with recovery
                DETAIL:  User query might have needed to see row versions that must be removed.
                pg_dump: detail: Query was: SELECT c.tableoid, c.oid, c.relname
                FROM pg_class c
                LEFT JOIN pg_class tc ON (c.reltoastrelid = tc.oid AND tc.relkind = 't' AND c.relkind <> 'p')
                WHERE c.relkind IN ('r', 'S', 'v', 'c', 'm', 'f', 'p')
                ORDER BY c.oid
                """;
        assertEquals("pg_dump: error: query failed: ERROR:  canceling statement due to conflict with recovery / "
                + "DETAIL:  User query might have needed to see row versions that must be removed.",
                SchemaDump.failureLines(output));
    }

    @Test
    void withoutAnErrorLineTheLastThreeLines() {
        assertEquals("b / c / d", SchemaDump.failureLines("a\n\nb\nc\n  d  \n"));
        assertEquals("no message", SchemaDump.failureLines("\n \n"));
        assertEquals("pg_restore: error: could not open input file \"x\": No such file or directory",
                SchemaDump.failureLines("pg_restore: error: could not open input file \"x\": No such file or directory\n"));
    }
}
