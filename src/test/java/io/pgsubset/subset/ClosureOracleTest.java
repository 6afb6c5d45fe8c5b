package io.pgsubset.subset;

import io.pgsubset.error.UsageException;
import io.pgsubset.plan.Mode;
import io.pgsubset.plan.OnSkippedParent;
import io.pgsubset.plan.SampleRate;
import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.PgTest;
import io.pgsubset.testing.TestDatabase;
import io.pgsubset.testing.ZonkyBinaries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The engine against a brute-force fixed point: random schemas (chains, diamonds, self-references,
 * cycles, composite and UNIQUE-column keys, nullable and NOT VALID keys, plan-only relations, tables
 * without a key), random data, random plans. A failure prints its seed and the case as SQL and plan.
 * {@code -Dpgsubset.oracle.seed=N} reruns one schema seed; {@code -Dpgsubset.oracle.schemas=N} runs more.
 * On the installed server; on the newest (18) with fewer schemas; with {@code -Dpgsubset.long=true}
 * on every other version from 12.
 */
@PgTest
class ClosureOracleTest {
    private static final int PLANS_PER_SCHEMA = 4;

    @Test
    void engineEqualsBruteForceFixedPoint(TestDatabase db) throws Exception {
        int schemas = Integer.getInteger("pgsubset.oracle.schemas", Long.getLong("pgsubset.oracle.seed") != null ? 1 : 120);
        runOracle(db, schemas);
    }

    /** The same on the newest PostgreSQL (its own catalog and planner), fewer schemas. */
    @Test
    void engineEqualsBruteForceFixedPointOnTheNewestServer() throws Exception {
        runOracle(TestDatabase.create(ZonkyBinaries.sharedCluster(ZonkyBinaries.NEWEST), "oracle"), 24);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {12, 13, 14, 16, 17})
    @EnabledIfSystemProperty(named = "pgsubset.long", matches = "true")
    void engineEqualsBruteForceFixedPointOnEveryServer(int major) throws Exception {
        try (PgCluster server = ZonkyBinaries.start(major)) {
            runOracle(TestDatabase.create(server, "oracle"), 48);
        }
    }

    private static void runOracle(TestDatabase db, int schemas) throws Exception {
        long base = Long.getLong("pgsubset.oracle.seed", 20261123L);
        int cases = 0;
        int refused = 0;
        try (Connection c = db.connect()) {
            for (int i = 0; i < schemas; i++) {
                long seed = base + i;
                RandomCase rc = new RandomCase(seed);
                try (Statement st = c.createStatement()) {
                    st.execute(rc.sql());
                }
                Map<String, List<Oracle.Row>> rows = load(c, rc);
                Random r = new Random(seed * 31 + 7);
                for (int p = 0; p < PLANS_PER_SCHEMA; p++) {
                    Map<String, Oracle.Spec> plan = randomPlan(r, rc);
                    OnSkippedParent onSkipped = r.nextBoolean() ? OnSkippedParent.ERROR : OnSkippedParent.NULL;
                    boolean limited = plan.values().stream().anyMatch(s -> s instanceof Oracle.Follow f && f.limit().isPresent());
                    int maxKeys = limited ? Closure.Options.DEFAULT_MAX_KEYS : new int[] {1, 2, 3, 50_000}[r.nextInt(4)];
                    check(c, rc, rows, plan, onSkipped, maxKeys, seed, p);
                    cases++;
                    if (new Oracle(rc, rows, plan, onSkipped).compute().isEmpty()) {
                        refused++;
                    }
                }
                try (Statement st = c.createStatement()) {
                    st.execute("DROP SCHEMA " + rc.schema + " CASCADE");
                }
            }
            System.out.println("oracle on " + c.getMetaData().getDatabaseProductVersion() + ": " + cases + " cases on "
                    + schemas + " schemas, " + refused + " refused plans");
        }
    }

    private static void check(Connection c, RandomCase rc, Map<String, List<Oracle.Row>> rows,
                              Map<String, Oracle.Spec> plan, OnSkippedParent onSkipped, int maxKeys, long seed, int p)
            throws Exception {
        String problem = problem(c, rc, rows, plan, onSkipped, maxKeys);
        if (problem == null) {
            return;
        }
        RandomCase small = shrink(c, rc, plan, onSkipped, maxKeys);
        fail("oracle mismatch for seed " + seed + " plan " + p + " (rerun: -Dpgsubset.oracle.seed=" + seed
                + "): " + problem + "\n-- minimal reproduction (shrunk: " + (count(rc) - count(small))
                + " rows and keys removed) --\n" + reproduction(small, plan, onSkipped, maxKeys)
                + "-- engine vs oracle on it: " + problem(c, small, plan, onSkipped, maxKeys));
    }

    private static String reproduction(RandomCase rc, Map<String, Oracle.Spec> plan, OnSkippedParent onSkipped,
                                       int maxKeys) {
        return rc.sql().replace(rc.schema + ".", "").replace("CREATE SCHEMA " + rc.schema + ";\n", "")
                + "-- plan (on_skipped_parent: " + onSkipped + ", keys per statement: " + maxKeys + ")\n"
                + describe(rc, plan);
    }

    private static int count(RandomCase rc) {
        return rc.fks.size() + rc.tables.stream().mapToInt(t -> t.rows().size()).sum();
    }

    /** Greedily drops foreign keys and rows while the mismatch persists. */
    private static RandomCase shrink(Connection c, RandomCase rc, Map<String, Oracle.Spec> plan,
                                     OnSkippedParent onSkipped, int maxKeys) throws Exception {
        int attempt = 0;
        boolean progress = true;
        while (progress && attempt < 400) {
            progress = false;
            for (int k = rc.fks.size() - 1; k >= 0 && attempt < 400; k--) {
                RandomCase candidate = rc.withoutFk(k, ++attempt);
                if (problem(c, candidate, plan, onSkipped, maxKeys) != null) {
                    rc = candidate;
                    progress = true;
                }
            }
            for (int t = 0; t < rc.tables.size(); t++) {
                for (int r = rc.tables.get(t).rows().size() - 1; r >= 0 && attempt < 400; r--) {
                    RandomCase candidate = rc.withoutRow(t, r, ++attempt);
                    if (problem(c, candidate, plan, onSkipped, maxKeys) != null) {
                        rc = candidate;
                        progress = true;
                    }
                }
            }
        }
        return rc;
    }

    /** Creates the case in its schema, compares, drops it; null when engine and oracle agree or the case is invalid. */
    private static String problem(Connection c, RandomCase rc, Map<String, Oracle.Spec> plan, OnSkippedParent onSkipped,
                                  int maxKeys) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute(rc.sql());
        } catch (java.sql.SQLException e) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + rc.schema + " CASCADE");
            }
            return null; // e.g. a row removed that a valid foreign key needs
        }
        try {
            Map<String, Oracle.Spec> kept = new LinkedHashMap<>();
            plan.forEach((t, s) -> kept.put(t, s instanceof Oracle.Follow f ? new Oracle.Follow(f.limit(),
                    f.via().stream().filter(v -> rc.fks.stream().anyMatch(fk -> fk.name().equals(v))).toList()) : s));
            return problem(c, rc, load(c, rc), kept, onSkipped, maxKeys);
        } finally {
            try (Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + rc.schema + " CASCADE");
            }
        }
    }

    private static String problem(Connection c, RandomCase rc, Map<String, List<Oracle.Row>> rows,
                                  Map<String, Oracle.Spec> plan, OnSkippedParent onSkipped, int maxKeys)
            throws Exception {
        Optional<Map<String, TreeSet<String>>> expected = new Oracle(rc, rows, plan, onSkipped).compute();
        Closure.Options options = Closure.Options.defaults().withMaxKeysPerStatement(maxKeys);
        String problem = problem(c, rc, plan, onSkipped, options, expected);
        if (problem != null) {
            return problem;
        }
        // as the dump runs it: follow tables that are just their parents' children joined by the server
        problem = problem(c, rc, plan, onSkipped, options.withChildrenByParents(true).withCountAllRows(true), expected);
        return problem == null ? null : "with the server joining children by their parents' keys: " + problem;
    }

    private static String problem(Connection c, RandomCase rc, Map<String, Oracle.Spec> plan, OnSkippedParent onSkipped,
                                  Closure.Options options, Optional<Map<String, TreeSet<String>>> expected)
            throws Exception {
        Map<String, TreeSet<String>> actual = null;
        String engineError = null;
        try {
            Engine.Run run = Engine.run(c, List.of(rc.schema), catalog -> build(catalog, rc, plan, onSkipped), options);
            actual = new TreeMap<>();
            for (var e : run.rows().entrySet()) {
                actual.put(e.getKey().name(), e.getValue());
            }
        } catch (UsageException e) {
            engineError = e.getMessage();
        }
        if (expected.isEmpty() && engineError == null) {
            return "the oracle refuses the plan (reference into a skipped table) but the engine returned " + actual;
        } else if (expected.isPresent() && engineError != null) {
            return "the engine refused: " + engineError + "\nexpected " + expected.get();
        } else if (expected.isPresent() && !expected.get().equals(actual)) {
            return "expected " + expected.get() + "\nbut was  " + actual;
        }
        return null;
    }

    static String describe(RandomCase rc, Map<String, Oracle.Spec> plan) {
        StringBuilder sb = new StringBuilder();
        plan.forEach((t, s) -> sb.append("--   ").append(t).append(": ").append(s).append('\n'));
        for (RandomCase.Fk fk : rc.fks) {
            if (fk.planOnly()) {
                sb.append("--   relation ").append(fk.name()).append(": ").append(rc.tables.get(fk.child()).name())
                        .append(fk.childColumns()).append(" -> ").append(rc.tables.get(fk.parent()).name())
                        .append(fk.parentColumns()).append('\n');
            }
        }
        return sb.toString();
    }

    private static io.pgsubset.plan.ResolvedPlan build(io.pgsubset.catalog.Catalog catalog, RandomCase rc,
                                                       Map<String, Oracle.Spec> plan, OnSkippedParent onSkipped) {
        Plans plans = Plans.on(catalog).onSkippedParent(onSkipped);
        for (RandomCase.Fk fk : rc.fks) {
            if (fk.planOnly()) {
                plans.relation(fk.name(), rc.schema + "." + rc.tables.get(fk.child()).name(), fk.childColumns(),
                        rc.schema + "." + rc.tables.get(fk.parent()).name(), fk.parentColumns());
            }
        }
        plan.forEach((t, s) -> {
            String name = rc.schema + "." + t;
            if (s instanceof Oracle.Full) {
                plans.full(name);
            } else if (s instanceof Oracle.Skip) {
                plans.skip(name);
            } else if (s instanceof Oracle.Sample x) {
                SampleRate rate = x.every() > 0 ? new SampleRate.Every(x.every()) : new SampleRate.Percent(x.percent(), x.seed());
                plans.mode(name, new Mode.Sample(rate, x.orderByW() ? List.of("w") : List.of(),
                        x.limit().map(OptionalLong::of).orElse(OptionalLong.empty()),
                        x.whereAbove().map(w -> "w > " + w)));
            } else if (s instanceof Oracle.Follow f) {
                plans.follow(name, f.limit().orElse(null), f.via().toArray(String[]::new));
            }
        });
        return plans.build();
    }

    private static Map<String, Oracle.Spec> randomPlan(Random r, RandomCase rc) {
        Map<String, Oracle.Spec> plan = new LinkedHashMap<>();
        for (int i = 0; i < rc.tables.size(); i++) {
            RandomCase.TableDef t = rc.tables.get(i);
            int m = r.nextInt(10);
            if (m < 2) {
                plan.put(t.name(), new Oracle.Full());
            } else if (m < 3) {
                plan.put(t.name(), new Oracle.Skip());
            } else if (m < 6) {
                boolean percent = t.kind() != RandomCase.KeyKind.NONE && r.nextInt(3) == 0;
                plan.put(t.name(), new Oracle.Sample(percent ? 0 : 1 + r.nextInt(4),
                        new double[] {10, 33.3, 50, 90, 100}[r.nextInt(5)], r.nextInt(5), r.nextInt(3) == 0,
                        r.nextInt(3) == 0 ? Optional.of((long) 1 + r.nextInt(5)) : Optional.empty(),
                        r.nextInt(3) == 0 ? Optional.of(r.nextInt(8)) : Optional.empty()));
            } else {
                List<String> via = new ArrayList<>();
                if (r.nextInt(4) == 0) {
                    for (RandomCase.Fk fk : rc.fks) {
                        if (fk.child() == i && r.nextBoolean()) {
                            via.add(fk.name());
                        }
                    }
                }
                plan.put(t.name(), new Oracle.Follow(
                        r.nextInt(3) == 0 ? Optional.of((long) 1 + r.nextInt(6)) : Optional.empty(), via));
            }
        }
        return plan;
    }

    private static Map<String, List<Oracle.Row>> load(Connection c, RandomCase rc) throws Exception {
        Map<String, List<Oracle.Row>> out = new HashMap<>();
        for (RandomCase.TableDef t : rc.tables) {
            String identity = switch (t.kind()) {
                case INT -> "id::text";
                case COMPOSITE -> "concat_ws(',', a::text, b::text)";
                case UNIQUE_ONLY -> "u::text";
                case NONE -> "ctid::text";
            };
            List<Oracle.Row> rows = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT " + identity + ", ctid::text, " + String.join(", ", t.columns())
                         + " FROM ONLY " + rc.schema + "." + t.name())) {
                while (rs.next()) {
                    Map<String, Integer> values = new HashMap<>();
                    for (int i = 0; i < t.columns().size(); i++) {
                        int v = rs.getInt(3 + i);
                        values.put(t.columns().get(i), rs.wasNull() ? null : v);
                    }
                    long ctid = RowIdentity.Ctid.pack(rs.getString(2));
                    rows.add(new Oracle.Row(rs.getString(1), ctid >>> 16, ctid & 0xFFFF, values));
                }
            }
            out.put(t.name(), rows);
        }
        return out;
    }
}
