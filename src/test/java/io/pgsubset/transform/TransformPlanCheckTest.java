package io.pgsubset.transform;

import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code plan check} on transforms: every bad one is a plan error at its line, exit 2. */
@PgTest
class TransformPlanCheckTest {
    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE account (
                    login varchar(40) PRIMARY KEY,
                    email varchar(254) NOT NULL UNIQUE,
                    nick text UNIQUE,
                    age integer,
                    born date
                );
                CREATE TABLE post (
                    id serial PRIMARY KEY,
                    author varchar(40) NOT NULL REFERENCES account (login),
                    editor text REFERENCES account (login),
                    body text
                );
                INSERT INTO account SELECT 'l' || g, 'e' || g || '@x.org', 'n' || g, g, date '2000-01-01' + g
                  FROM generate_series(1, 50) g;
                INSERT INTO post (author, editor, body) SELECT 'l' || (g % 50 + 1), NULL, 'b' FROM generate_series(1, 100) g;
                """);
    }

    private static Cli.Result check(TestDatabase db, String transforms) throws IOException {
        Path dir = Files.createTempDirectory("pgsubset-transform");
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, "version: 1\nschemas: [public]\ntransform:\n" + transforms);
        return Cli.against(db, "plan check", "--plan", plan.toString());
    }

    private static void assertProblem(Cli.Result r, String regex) {
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().matches("(?s)(.*\n)?[^\n]*/" + regex + "(\n.*)?"), r::toString);
    }

    @Test
    void acceptsKeysHashedOnBothSidesOfAForeignKey(TestDatabase db) throws IOException {
        Cli.Result r = check(db, """
                  account:
                    login: hash
                    email: email
                    age: {digits: 2}
                  post:
                    author: hash
                    editor: "null"
                    body: "upper(body)"
                """);
        assertEquals(0, r.exitCode(), r::toString);
    }

    @Test
    void refusesAKeyTransformedOnOneSideOfAForeignKey(TestDatabase db) throws IOException {
        Cli.Result r = check(db, """
                  account:
                    login: hash
                """);
        assertProblem(r, "plan\\.yaml:5:12: column login of public\\.account is in foreign key post_author_fkey .*"
                + "public\\.post\\.author is not transformed.* - give public\\.post\\.author the same deterministic "
                + "transform.*");
        assertTrue(r.err().contains("post_editor_fkey"), r::toString);
    }

    @Test
    void refusesDifferentTransformsOnTheTwoSides(TestDatabase db) throws IOException {
        Cli.Result r = check(db, """
                  account:
                    login: hash
                  post:
                    author: keep_length
                    editor: hash
                """);
        assertProblem(r, "plan\\.yaml:7:13: column author of public\\.post \\(character varying\\(40\\), keep_length\\)"
                + " and public\\.account\\.login .* transformed differently.*");
        // hash of text and of varchar(40) keep 32 hex digits alike: no problem for editor
        assertTrue(!r.err().contains("column editor"), r::toString);
    }

    @Test
    void refusesTransformsThatBreakUniqueOrNotNull(TestDatabase db) throws IOException {
        Cli.Result r = check(db, """
                  account:
                    nick: name
                    email: {constant: "x@example.com"}
                """);
        assertProblem(r, "plan\\.yaml:5:11: column nick of public\\.account is in UNIQUE constraint account_nick_key, "
                + "but name picks from 64 fake names.*");
        assertProblem(r, "plan\\.yaml:6:12: column email of public\\.account is in UNIQUE constraint .*same value.*");
    }

    @Test
    void refusesBuiltInsThatMakeNoSenseForTheType(TestDatabase db) throws IOException {
        Cli.Result r = check(db, """
                  account:
                    born: hash
                    age: email
                """);
        assertProblem(r, "plan\\.yaml:5:11: public\\.account\\.born \\(date\\): hash cannot make a date value - use an SQL expression");
        assertProblem(r, "plan\\.yaml:6:10: public\\.account\\.age \\(integer\\): email makes text, not integer - use hash or digits: N on numbers");
    }

    @Test
    void reportsSqlErrorsAndTypeMismatchesFromTheServerAtTheirLines(TestDatabase db) throws IOException {
        Cli.Result r = check(db, """
                  account:
                    age: "'forty'"
                    nick: "lower(nickk)"
                  post:
                    body: "1 +"
                """);
        assertProblem(r, "plan\\.yaml:5:10: transform of column age of public\\.account \\(sql: 'forty', as integer\\) "
                + "fails on the server: invalid input syntax for type integer: \"forty\" - .*");
        assertProblem(r, "plan\\.yaml:6:11: transform of column nick .* column \"nickk\" does not exist.*");
        assertProblem(r, "plan\\.yaml:8:11: transform of column body .*syntax error.*");
    }

    @Test
    void reportsUnknownBuiltInsAndColumnsAtTheirLines(TestDatabase db) throws IOException {
        Cli.Result r = check(db, """
                  account:
                    email: emial
                    emali: hash
                """);
        assertProblem(r, "plan\\.yaml:5:12: .*emial.*");
        assertProblem(r, "plan\\.yaml:6:5: .*emali.*");
    }
}
