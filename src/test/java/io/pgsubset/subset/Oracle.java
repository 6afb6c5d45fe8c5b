package io.pgsubset.subset;

import io.pgsubset.plan.OnSkippedParent;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The subset semantics computed by brute force in plain Java over every row of every table: the
 * reference the engine is compared with. Deliberately simple: lists and nested loops.
 */
final class Oracle {
    /** A row as loaded: its identity text (as {@link Engine#identity}), ctid, and column values. */
    record Row(String identity, long block, long offset, Map<String, Integer> values) {
        Integer get(String column) {
            return values.get(column);
        }
    }

    sealed interface Spec permits Full, Skip, Sample, Follow {
    }

    record Full() implements Spec {
    }

    record Skip() implements Spec {
    }

    /** every (> 0) or percent with seed; orderByW: order by w first; where: w > whereAbove. */
    record Sample(long every, double percent, long seed, boolean orderByW, Optional<Long> limit,
                  Optional<Integer> whereAbove) implements Spec {
    }

    record Follow(Optional<Long> limit, List<String> via) implements Spec {
    }

    private final RandomCase rc;
    private final Map<String, List<Row>> rows;
    private final Map<String, Spec> plan;
    private final OnSkippedParent onSkipped;
    private final Map<String, LinkedHashSet<Row>> included = new HashMap<>();
    private final Map<String, Long> downward = new HashMap<>();

    Oracle(RandomCase rc, Map<String, List<Row>> rows, Map<String, Spec> plan, OnSkippedParent onSkipped) {
        this.rc = rc;
        this.rows = rows;
        this.plan = plan;
        this.onSkipped = onSkipped;
    }

    /** Table name to identities of its rows in the subset, or empty when the plan must be refused. */
    Optional<Map<String, TreeSet<String>>> compute() {
        Map<String, Set<Row>> frontier = new HashMap<>();
        for (RandomCase.TableDef t : rc.tables) {
            included.put(t.name(), new LinkedHashSet<>());
            downward.put(t.name(), 0L);
            if (plan.get(t.name()) instanceof Sample s) {
                List<Row> roots = roots(t, s);
                included.get(t.name()).addAll(roots);
                frontier.put(t.name(), new LinkedHashSet<>(roots));
            }
        }
        List<RandomCase.Fk> edges = new ArrayList<>(rc.fks);
        edges.sort(Comparator.comparing((RandomCase.Fk f) -> childName(f)).thenComparing(RandomCase.Fk::name));
        // downward, in rounds: each round expands the rows the previous round added
        while (frontier.values().stream().anyMatch(s -> !s.isEmpty())) {
            Map<String, Set<Row>> current = frontier;
            frontier = new HashMap<>();
            for (RandomCase.Fk fk : edges) {
                if (!drives(fk)) {
                    continue;
                }
                Set<Row> parents = current.getOrDefault(parentName(fk), Set.of());
                if (parents.isEmpty()) {
                    continue;
                }
                Set<List<Integer>> referenced = new HashSet<>();
                for (Row p : parents) {
                    referenced.add(values(p, fk.parentColumns()));
                }
                List<Row> children = new ArrayList<>();
                for (Row c : rows.get(childName(fk))) {
                    List<Integer> v = values(c, fk.childColumns());
                    if (!v.contains(null) && referenced.contains(v)) {
                        children.add(c);
                    }
                }
                Follow follow = (Follow) plan.get(childName(fk));
                if (follow.limit().isPresent()) {
                    Comparator<Row> byKey = Comparator.comparing((Row r) -> values(r, fk.childColumns()), Oracle::compare);
                    children.sort(byKey.thenComparing(identityOrder(table(childName(fk)))));
                }
                for (Row c : children) {
                    long taken = downward.get(childName(fk));
                    if (follow.limit().isPresent() && taken >= follow.limit().get()) {
                        break;
                    }
                    if (included.get(childName(fk)).add(c)) {
                        downward.put(childName(fk), taken + 1);
                        frontier.computeIfAbsent(childName(fk), k -> new LinkedHashSet<>()).add(c);
                    }
                }
            }
        }
        // upward, in rounds; the first round also checks every row of full tables
        Map<String, Long> skippedRefs = new TreeMap<>();
        Map<String, Set<Row>> up = new HashMap<>();
        for (RandomCase.TableDef t : rc.tables) {
            up.put(t.name(), new LinkedHashSet<>(included.get(t.name())));
        }
        boolean first = true;
        while (first || up.values().stream().anyMatch(s -> !s.isEmpty())) {
            Map<String, Set<Row>> current = up;
            up = new HashMap<>();
            for (RandomCase.Fk fk : edges) {
                Spec childSpec = plan.get(childName(fk));
                Set<Row> children;
                if (childSpec instanceof Sample || childSpec instanceof Follow) {
                    children = current.getOrDefault(childName(fk), Set.of());
                } else if (first && childSpec instanceof Full) {
                    children = new LinkedHashSet<>(rows.get(childName(fk)));
                } else {
                    continue;
                }
                Spec parentSpec = plan.get(parentName(fk));
                if (parentSpec instanceof Full) {
                    continue;
                }
                for (Row c : children) {
                    List<Integer> v = values(c, fk.childColumns());
                    if (v.contains(null)) {
                        continue;
                    }
                    if (parentSpec instanceof Skip) {
                        skippedRefs.merge(fk.name(), 1L, Long::sum);
                        continue;
                    }
                    for (Row p : rows.get(parentName(fk))) {
                        if (values(p, fk.parentColumns()).equals(v) && included.get(parentName(fk)).add(p)) {
                            up.computeIfAbsent(parentName(fk), k -> new LinkedHashSet<>()).add(p);
                        }
                    }
                }
            }
            first = false;
        }
        for (RandomCase.Fk fk : rc.fks) {
            if (skippedRefs.getOrDefault(fk.name(), 0L) > 0 && !(onSkipped == OnSkippedParent.NULL && fk.nullable())) {
                return Optional.empty();
            }
        }
        Map<String, TreeSet<String>> out = new TreeMap<>();
        for (RandomCase.TableDef t : rc.tables) {
            TreeSet<String> ids = new TreeSet<>();
            Spec spec = plan.get(t.name());
            Iterable<Row> source = spec instanceof Full ? rows.get(t.name())
                    : spec instanceof Skip ? List.of() : included.get(t.name());
            for (Row r : source) {
                ids.add(r.identity());
            }
            out.put(t.name(), ids);
        }
        return Optional.of(out);
    }

    private boolean drives(RandomCase.Fk fk) {
        Spec child = plan.get(childName(fk));
        Spec parent = plan.get(parentName(fk));
        return child instanceof Follow f && (parent instanceof Sample || parent instanceof Follow)
                && (f.via().isEmpty() || f.via().contains(fk.name()));
    }

    private List<Row> roots(RandomCase.TableDef t, Sample s) {
        List<Row> candidates = new ArrayList<>();
        for (Row r : rows.get(t.name())) {
            if (s.whereAbove().isPresent() && !(r.get("w") != null && r.get("w") > s.whereAbove().get())) {
                continue;
            }
            if (s.every() == 0 && !inPercent(t, r, s)) {
                continue;
            }
            candidates.add(r);
        }
        Comparator<Row> order = identityOrder(t);
        if (s.orderByW()) {
            order = Comparator.comparing((Row r) -> r.get("w"), Comparator.nullsLast(Comparator.naturalOrder()))
                    .thenComparing(order);
        }
        candidates.sort(order);
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            // row_number() = i + 1: rows N, 2N, 3N ...
            if (s.every() == 0 || (i + 1) % s.every() == 0) {
                out.add(candidates.get(i));
            }
        }
        long limit = s.limit().orElse(Long.MAX_VALUE);
        return out.subList(0, (int) Math.min(out.size(), limit));
    }

    private static boolean inPercent(RandomCase.TableDef t, Row r, Sample s) {
        String text = String.join(",", t.identity().stream().map(c -> String.valueOf(r.get(c))).toList());
        try {
            byte[] md5 = MessageDigest.getInstance("MD5").digest((s.seed() + ":" + text).getBytes(StandardCharsets.UTF_8));
            long hash = ((md5[0] & 0xFFL) << 24) | ((md5[1] & 0xFFL) << 16) | ((md5[2] & 0xFFL) << 8) | (md5[3] & 0xFFL);
            BigDecimal threshold = BigDecimal.valueOf(s.percent()).multiply(BigDecimal.valueOf(1L << 32))
                    .divide(BigDecimal.valueOf(100)).setScale(0, RoundingMode.CEILING);
            return BigDecimal.valueOf(hash).compareTo(threshold) < 0;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Comparator<Row> identityOrder(RandomCase.TableDef t) {
        if (t.kind() == RandomCase.KeyKind.NONE) {
            return Comparator.comparingLong(Row::block).thenComparingLong(Row::offset);
        }
        return Comparator.comparing((Row r) -> values(r, t.identity()), Oracle::compare);
    }

    private static int compare(List<Integer> a, List<Integer> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = Comparator.nullsLast(Comparator.<Integer>naturalOrder()).compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static List<Integer> values(Row r, List<String> columns) {
        List<Integer> out = new ArrayList<>();
        for (String c : columns) {
            out.add(r.get(c));
        }
        return out;
    }

    private RandomCase.TableDef table(String name) {
        return rc.tables.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private String childName(RandomCase.Fk fk) {
        return rc.tables.get(fk.child()).name();
    }

    private String parentName(RandomCase.Fk fk) {
        return rc.tables.get(fk.parent()).name();
    }
}
