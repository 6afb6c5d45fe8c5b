package io.pgsubset.plan;

import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plans for the public Chinook database (../shared/datasets/chinook), loaded with psql. */
@PgTest
class ChinookPlanTest {
    private static final Path CHINOOK_PLAN = PlanFixtures.repo("config-examples/chinook-plan.yaml");

    @BeforeAll
    static void chinook(TestDatabase db) {
        PlanFixtures.chinook(db);
    }

    @Test
    void examplePlanChecksWithEveryTablePlaced(TestDatabase db) {
        Cli.Result r = Cli.against(db, "plan check", "--plan", CHINOOK_PLAN.toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().endsWith("ok, 11 tables: 1 sample, 5 follow, 5 full, 0 skip\n"), r.out());
    }

    @Test
    void examplePlanExplainsUpwardAndDownwardEdges(TestDatabase db) {
        Cli.Result r = Cli.against(db, "plan explain", "--plan", CHINOOK_PLAN.toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("  down  public.track -> public.invoice_line  via public.invoice_line(track_id) "
                + "-> public.track(track_id)"), r.out());
        assertTrue(r.out().contains("  up    public.invoice_line -> public.invoice  via public.invoice_line(invoice_id) "
                + "-> public.invoice(invoice_id)"), r.out());
        assertTrue(r.out().contains("  up    public.invoice -> public.customer  via"), r.out());
    }

    @Test
    void initOutputPassesCheckWithAndWithoutSampling(TestDatabase db) {
        for (String over : new String[] {"1GB", "100kB"}) {
            Cli.Result init = Cli.against(db, "plan init", "--sample-over", over, "--target-rows", "500");
            assertEquals(0, init.exitCode(), init::toString);
            Cli.Result check = Cli.against(db, "plan check", "--plan", PlanTesting.write(init.out()).toString());
            assertEquals(0, check.exitCode(), init.out() + "\n" + check);
            assertTrue(check.out().contains("ok, 11 tables: "), check.out());
            if (over.equals("100kB")) {
                assertTrue(init.out().contains("\nsample:\n"), init.out());
                assertTrue(!check.out().contains(" 0 sample"), check.out());
            } else {
                assertTrue(check.out().contains("0 sample, 0 follow, 11 full"), check.out());
            }
        }
    }
}
