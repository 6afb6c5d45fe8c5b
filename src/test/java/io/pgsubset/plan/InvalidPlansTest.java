package io.pgsubset.plan;

import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The corpus of broken plans in src/test/resources/plans/invalid/: each file's first line says
 * {@code # expect: LINE:COLUMN: message - fix}, the exact problem {@code plan check} must print
 * (after the file's path), with exit code 2 and no other output.
 */
@PgTest
class InvalidPlansTest {
    private static final Path CORPUS = PlanFixtures.repo("src/test/resources/plans/invalid");

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE files (id bigint PRIMARY KEY, created date, size bigint);
                CREATE TABLE traces (id int PRIMARY KEY, file_id bigint REFERENCES files, note text);
                CREATE TABLE mapping (id int PRIMARY KEY, file_id bigint, label text);
                CREATE TABLE lookup (id int PRIMARY KEY);
                CREATE TABLE nokey (a int, b int);
                CREATE SCHEMA other;
                CREATE TABLE other.lookup (id int PRIMARY KEY);
                CREATE TABLE other."Mixed_Case" (id int PRIMARY KEY);
                CREATE TABLE other.extra (id int PRIMARY KEY);
                CREATE TABLE events (id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
                CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                """);
    }

    @Test
    void everyInvalidPlanExitsWith2AndNamesLineColumnMessageAndFix(TestDatabase db) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(CORPUS)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 25, "a corpus of at least 25 plans, found " + files.size());
        List<String> failures = new ArrayList<>();
        for (Path file : files) {
            String first = Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
            assertTrue(first.startsWith("# expect: "), file + " must start with '# expect: '");
            String expected = file + ":" + first.substring("# expect: ".length());
            Cli.Result r = Cli.against(db, "plan check", "--plan", file.toString());
            List<String> lines = r.err().lines().toList();
            if (r.exitCode() != 2 || !lines.contains(expected) || !r.out().isEmpty()) {
                failures.add(file.getFileName() + ": expected exit 2 and\n    " + expected + "\n  got exit "
                        + r.exitCode() + "\n    " + String.join("\n    ", lines));
            }
        }
        assertEquals(List.of(), failures, String.join("\n", failures));
    }
}
