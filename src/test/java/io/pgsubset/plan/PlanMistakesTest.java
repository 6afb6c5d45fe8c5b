package io.pgsubset.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two plan mistakes {@code plan check} finds from the catalog alone, before a dump reads a row. */
@PgTest
class PlanMistakesTest {
    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                CREATE TABLE "Secret Keys" (id int PRIMARY KEY);
                CREATE TABLE account (id int PRIMARY KEY, key_id int NOT NULL REFERENCES "Secret Keys",
                                      spare_key_id int REFERENCES "Secret Keys");
                CREATE TABLE audit (id int PRIMARY KEY, spare_key_id int REFERENCES "Secret Keys");
                CREATE TABLE region (id int PRIMARY KEY);
                CREATE TABLE shop (id int PRIMARY KEY, region_id int NOT NULL REFERENCES region);
                CREATE TABLE sale (id int PRIMARY KEY, shop_id int REFERENCES shop, region_id int REFERENCES region);
                INSERT INTO "Secret Keys" VALUES (1);
                INSERT INTO account VALUES (1, 1, NULL);
                """);
    }

    private static Path write(Path dir, String yaml) throws Exception {
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, yaml);
        return plan;
    }

    @Test
    void nullingANotNullReferenceToASkippedTableFailsTheCheckAtTheSkipEntry(TestDatabase db, @TempDir Path dir)
            throws Exception {
        Path plan = write(dir, """
                version: 1
                skip:
                  - '"Secret Keys"'
                on_skipped_parent: null
                """);
        Cli.Result r = Cli.against(db, "plan check", "--plan", plan.toString());
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains(plan + ":3:5: table public.\"Secret Keys\" is skipped, but on_skipped_parent: "
                + "null cannot null NOT NULL column public.account.key_id"), r::toString);
        // the nullable spare_key_id columns of account and audit are fine: only key_id is named
        assertTrue(!r.err().contains("spare_key_id"), r::toString);
        assertEquals(1, r.err().lines().filter(l -> l.contains("cannot null")).count(), r::toString);
        // the dump refuses the same plan before it writes anything
        Path out = dir.resolve("dump");
        Cli.Result dump = Cli.against(db, "dump", "--plan", plan.toString(), "--output", out.toString());
        assertEquals(2, dump.exitCode(), dump::toString);
        assertTrue(!Files.exists(out), "no dump directory");
    }

    @Test
    void skippingTheReferencingTableTooOrErrorModePassesTheCheck(TestDatabase db, @TempDir Path dir) throws Exception {
        Cli.Result both = Cli.against(db, "plan check", "--plan", write(dir, """
                version: 1
                skip: ['"Secret Keys"', account]
                on_skipped_parent: null
                """).toString());
        assertEquals(0, both.exitCode(), both::toString);
        Cli.Result unlistedSkip = Cli.against(db, "plan check", "--plan", write(dir, """
                version: 1
                full: [audit, region, shop, sale]
                unlisted: skip
                on_skipped_parent: null
                """).toString());
        assertEquals(0, unlistedSkip.exitCode(), unlistedSkip::toString);
        Cli.Result unlistedAccount = Cli.against(db, "plan check", "--plan", write(dir, """
                version: 1
                full: [account, audit, region, shop, sale]
                unlisted: skip
                on_skipped_parent: null
                """).toString());
        assertEquals(2, unlistedAccount.exitCode(), unlistedAccount::toString);
        assertTrue(unlistedAccount.err().contains(":3:11: table public.\"Secret Keys\" is skipped"),
                unlistedAccount::toString);
    }

    @Test
    void followViaOnlyKeysIntoFullTablesWarnsWithTheLineAndTheKey(TestDatabase db, @TempDir Path dir)
            throws Exception {
        Path plan = write(dir, """
                version: 1
                skip: ['"Secret Keys"', account, audit]
                sample:
                  shop: {every: 2}
                follow:
                  sale:
                    via: [region_id]
                """);
        String warning = "pgsubset: warning: " + plan + ":7:11: follow table public.sale can never get rows "
                + "downward: its via names only public.sale(region_id) -> public.region(id) (full)";
        Cli.Result check = Cli.against(db, "plan check", "--plan", plan.toString());
        assertEquals(0, check.exitCode(), check::toString);
        assertTrue(check.err().contains(warning), check::toString);
        Cli.Result explain = Cli.against(db, "plan explain", "--plan", plan.toString());
        assertEquals(0, explain.exitCode(), explain::toString);
        assertTrue(explain.err().contains(warning), explain::toString);
        Cli.Result json = Cli.against(db, "plan explain", "--plan", plan.toString(), "--format", "json");
        assertEquals(1, new ObjectMapper().readTree(json.out()).get("warnings").size(), json::toString);

        Cli.Result good = Cli.against(db, "plan check", "--plan", write(dir, """
                version: 1
                skip: ['"Secret Keys"', account, audit]
                sample:
                  shop: {every: 2}
                follow:
                  sale:
                    via: [region_id, shop_id]
                """).toString());
        assertEquals(0, good.exitCode(), good::toString);
        assertTrue(!good.err().contains("warning"), good::toString);
    }
}
