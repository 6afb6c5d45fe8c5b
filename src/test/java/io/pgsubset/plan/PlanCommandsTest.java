package io.pgsubset.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgsubset.testing.Cli;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** plan init, check and explain on the demo database of scripts/sql/production-shape.sql. */
@PgTest
class PlanCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DEMO_PLAN = PlanFixtures.repo("config-examples/demo-plan.yaml");

    @BeforeAll
    static void demo(TestDatabase db) {
        PlanFixtures.productionShape(db, 2000);
    }

    @Test
    void initSamplesBigTablesAndTheirChildrenFollowAndPassesCheck(TestDatabase db) throws Exception {
        Path out = Files.createTempDirectory("plan-init").resolve("plan.yaml");
        Cli.Result init = Cli.against(db, "plan init", "--sample-over", "200kB", "--target-rows", "100",
                "-o", out.toString());
        assertEquals(0, init.exitCode(), init::toString);
        String plan = Files.readString(out);
        String sample = plan.substring(plan.indexOf("\nsample:\n"), plan.indexOf("\nfollow:\n"));
        assertTrue(sample.matches("(?s).*\n  waveforms_file: +# [0-9]+ kB, ~2000 rows \\(est\\.\\): over 200 kB\n"
                + "    every: 20 +# rows 20, 40 ... by id: about 100 rows\n    limit: 100 .*"), plan);
        assertTrue(plan.lines().anyMatch(l -> l.startsWith("  waveforms_continuoustrace: {}")
                && l.contains("references waveforms_file via file_id (sampled)")), plan);
        assertTrue(plan.lines().filter(l -> l.startsWith("  - ") || l.startsWith("  waveforms"))
                .allMatch(l -> l.contains("# ")), "every entry has a comment:\n" + plan);
        Cli.Result check = Cli.against(db, "plan check", "--plan", out.toString());
        assertEquals(0, check.exitCode(), check::toString);
        assertTrue(check.out().contains("ok, 14 tables: 3 sample, 1 follow, 10 full, 0 skip"), check.out());
    }

    /** plan init -o never overwrites a plan (it may hold the administrator's edits) unless told to. */
    @Test
    void initRefusesToOverwriteAPlanFileWithoutForce(TestDatabase db) throws Exception {
        Path dir = Files.createTempDirectory("plan-init");
        Path out = dir.resolve("plan.yaml");
        Files.writeString(out, "# my edits\nversion: 1\n");
        Cli.Result refused = Cli.against(db, "plan init", "-o", out.toString());
        assertEquals(2, refused.exitCode(), refused::toString);
        assertTrue(refused.err().contains(out + " already exists; choose another -o, or add --force to replace it"),
                refused.err());
        assertEquals("# my edits\nversion: 1\n", Files.readString(out), "the plan is untouched");
        Cli.Result forced = Cli.against(db, "plan init", "-o", out.toString(), "--force");
        assertEquals(0, forced.exitCode(), forced::toString);
        assertTrue(Files.readString(out).startsWith("# pgsubset plan for database "), Files.readString(out));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList(), "no temporary file left beside it");
        }
        Cli.Result noDir = Cli.against(db, "plan init", "-o", dir.resolve("missing/plan.yaml").toString());
        assertEquals(2, noDir.exitCode(), noDir::toString);
        assertTrue(noDir.err().contains("does not exist"), noDir.err());
    }

    /**
     * A table never analyzed (a fresh restore, autovacuum not round yet) has reltuples -1: plan init
     * took it for empty and sampled every row ("every: 1"). It asks the planner instead, and says so.
     * An analyzed partitioned table holds its tree's count itself: it was added to its partitions'.
     */
    @Test
    void initGuessesTheRowsOfTablesNeverAnalyzedAndCountsAPartitionedTreeOnce(TestDatabase db) throws Exception {
        TestDatabase fresh = db.sibling("unanalyzed");
        fresh.execute("""
                CREATE TABLE events (id bigint PRIMARY KEY, payload text) WITH (autovacuum_enabled = off);
                INSERT INTO events SELECT g, repeat('x', 40) FROM generate_series(1, 20000) g;
                CREATE TABLE measures (at date NOT NULL, id bigint NOT NULL, v int, PRIMARY KEY (at, id))
                    PARTITION BY RANGE (at);
                CREATE TABLE measures_a PARTITION OF measures FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')
                    WITH (autovacuum_enabled = off);
                CREATE TABLE measures_b PARTITION OF measures FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')
                    WITH (autovacuum_enabled = off);
                INSERT INTO measures SELECT date '2020-01-01' + g % 700, g, g FROM generate_series(1, 20000) g;
                """);
        Cli.Result guessed = Cli.against(fresh, "plan init", "--sample-over", "100kB", "--target-rows", "100");
        assertEquals(0, guessed.exitCode(), guessed::toString);
        assertTrue(guessed.err().contains("warning: 2 tables over --sample-over were never analyzed")
                && guessed.err().contains("public.events") && guessed.err().contains("public.measures")
                && guessed.err().contains("run ANALYZE"), guessed.err());
        for (String table : List.of("events", "measures")) {
            long[] entry = sampleEntry(guessed.out(), table, "the planner's guess: never analyzed");
            // the planner's guess from the pages and the column widths: about 20000, far from 0
            assertTrue(entry[0] >= 10000 && entry[0] <= 40000, guessed.out());
            assertEquals((entry[0] + 99) / 100, entry[1], guessed.out());
        }
        fresh.execute("ANALYZE");
        Cli.Result analyzed = Cli.against(fresh, "plan init", "--sample-over", "100kB", "--target-rows", "100");
        assertEquals(0, analyzed.exitCode(), analyzed::toString);
        assertFalse(analyzed.err().contains("never analyzed"), analyzed.err());
        for (String table : List.of("events", "measures")) {
            assertEquals(List.of(20000L, 200L), List.of(sampleEntry(analyzed.out(), table, "est.")[0],
                    sampleEntry(analyzed.out(), table, "est.")[1]), analyzed.out());
        }
        Cli.Result explain = Cli.against(fresh, "plan explain", "--plan", PlanTesting.write(analyzed.out()).toString(),
                "--format", "json");
        assertEquals(0, explain.exitCode(), explain::toString);
        assertEquals(20000, find(JSON.readTree(explain.out()).get("tables"), "measures").get("estimated_rows").asLong(),
                "plan explain counts a partitioned tree once too");
    }

    /** The rows a plan init comment gives a sampled table, with {@code source}, and its every: N. */
    private static long[] sampleEntry(String plan, String table, String source) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\n  " + table + ": +# [^\n]*, ~([0-9]+) rows \\("
                + java.util.regex.Pattern.quote(source) + "\\)[^\n]*\n    every: ([0-9]+) ").matcher(plan);
        assertTrue(m.find(), table + " sampled with rows (" + source + ") in:\n" + plan);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    @Test
    void initWithDefaultsCopiesSmallDatabasesWhole(TestDatabase db) {
        Cli.Result init = Cli.against(db, "plan init");
        assertEquals(0, init.exitCode(), init::toString);
        assertFalse(init.out().contains("sample:"), init.out());
        Cli.Result check = Cli.against(db, "plan check", "--plan", PlanTesting.write(init.out()).toString());
        assertEquals(0, check.exitCode(), check::toString);
        assertTrue(check.out().contains("ok, 14 tables: 0 sample, 0 follow, 14 full, 0 skip"), check.out());
    }

    @Test
    void demoPlanChecksAndExplainsItsModesAndEdges(TestDatabase db) throws Exception {
        Cli.Result check = Cli.against(db, "plan check", "--plan", DEMO_PLAN.toString());
        assertEquals(0, check.exitCode(), check::toString);
        Cli.Result r = Cli.against(db, "plan explain", "--plan", DEMO_PLAN.toString(), "--format", "json");
        assertEquals(0, r.exitCode(), r::toString);
        JsonNode root = JSON.readTree(r.out());
        JsonNode file = find(root.get("tables"), "waveforms_file");
        assertEquals("sample", file.get("mode").asText());
        assertEquals(500, file.get("every").asLong());
        assertEquals(10000, file.get("limit").asLong());
        assertEquals(List.of("id"), List.of(file.get("order_by").get(0).asText()));
        JsonNode trace = find(root.get("tables"), "waveforms_continuoustrace");
        assertEquals("follow", trace.get("mode").asText());
        assertEquals(50000, trace.get("limit").asLong());
        assertEquals("follow", find(root.get("tables"), "waveforms_mapping").get("mode").asText());
        assertEquals("skip", find(root.get("tables"), "django_session").get("mode").asText());
        assertEquals("plan:waveforms_mapping(file_id)->waveforms_file(id)",
                root.get("relations").get(0).get("name").asText());
        assertTrue(hasEdge(root, "down", "public.waveforms_continuoustrace", "public.waveforms_file"), r.out());
        assertTrue(hasEdge(root, "up", "public.waveforms_continuoustrace", "public.waveforms_file"), r.out());
        assertTrue(hasEdge(root, "down", "public.waveforms_mapping", "public.waveforms_file"), r.out());
        assertTrue(hasEdge(root, "to_skipped", "public.django_admin_log", "public.auth_user") == false,
                "django_admin_log is itself skipped");
    }

    @Test
    void checkReportsTheFilesAndTheCatalogsProblemsInOneRun(TestDatabase db) throws Exception {
        String typo = Files.readString(DEMO_PLAN).replace("every: 500", "evry: 500")
                .replace("waveforms_continuoustrace:", "waveforms_continuoustrac:");
        Path file = PlanTesting.write(typo);
        Cli.Result r = Cli.against(db, "plan check", "--plan", file.toString());
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals(List.of(
                file + ":11:5: unknown key \"evry\" in sample of waveforms_file - did you mean \"every\"?",
                file + ":15:3: table \"waveforms_continuoustrac\" not found in schema public - did you mean "
                        + "\"waveforms_continuoustrace\"?"), r.err().lines().toList());
        assertEquals("", r.out());
    }

    @Test
    void explainTextNamesModesReasonsAndDirections(TestDatabase db) {
        Cli.Result r = Cli.against(db, "plan explain", "--plan", DEMO_PLAN.toString());
        assertEquals(0, r.exitCode(), r::toString);
        String traceLine = r.out().lines().filter(l -> l.startsWith("public.waveforms_continuoustrace "))
                .findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(traceLine.contains("follow") && traceLine.contains("limit 50000")
                && traceLine.contains("listed under follow"), traceLine);
        assertTrue(r.out().contains("  down  public.waveforms_file -> public.waveforms_continuoustrace  via "
                + "public.waveforms_continuoustrace(file_id) -> public.waveforms_file(id)"), r.out());
        assertTrue(r.out().contains("  up    public.waveforms_station -> public.waveforms_network") == false,
                "full tables referencing full tables need no closure edge:\n" + r.out());
    }

    @Test
    void drawsAValidGraphvizGraph(TestDatabase db) throws Exception {
        Path dir = Files.createTempDirectory("plan-graph");
        Path dot = dir.resolve("plan.dot");
        Cli.Result r = Cli.against(db, "plan explain", "--plan", DEMO_PLAN.toString(), "--graph", dot.toString());
        assertEquals(0, r.exitCode(), r::toString);
        String text = Files.readString(dot);
        assertTrue(text.startsWith("digraph pgsubset_plan {"), text);
        assertTrue(text.contains("\"public.waveforms_continuoustrace\" -> \"public.waveforms_file\" [label=\"file_id "
                + "(down, up)\", style=bold"), text);
        assertTrue(text.contains("fillcolor=\"#f4a261\""), "sampled table coloured:\n" + text);
        Assumptions.assumeTrue(onPath("dot"), "Graphviz dot is not installed");
        Process p = new ProcessBuilder("dot", "-Tsvg", dot.toString()).redirectErrorStream(true).start();
        String svg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), svg);
        Path svgFile = dir.resolve("plan.svg");
        Cli.Result s = Cli.against(db, "plan explain", "--plan", DEMO_PLAN.toString(), "--graph", svgFile.toString());
        assertEquals(0, s.exitCode(), s::toString);
        assertTrue(Files.readString(svgFile).contains("<svg"), "rendered by dot");
    }

    @Test
    void svgWithoutGraphvizIsAClearError(TestDatabase db) throws Exception {
        Path svg = Files.createTempDirectory("plan-graph").resolve("plan.svg");
        List<String> args = new java.util.ArrayList<>(List.of("plan", "explain"));
        args.addAll(db.connectionArgs());
        args.addAll(List.of("--plan", DEMO_PLAN.toString(), "--graph", svg.toString()));
        Cli.Result r = Cli.run(java.util.Map.of("PATH", "/nonexistent"), args);
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("needs Graphviz's dot, which is not on PATH"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasEdge(JsonNode root, String direction, String child, String parent) {
        for (JsonNode e : root.get("edges")) {
            if (e.get("direction").asText().equals(direction) && e.get("child").asText().equals(child)
                    && e.get("parent").asText().equals(parent)) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode find(JsonNode tables, String name) {
        for (JsonNode t : tables) {
            if (t.get("table").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no " + name + " in " + tables);
    }
}
