package io.pgsubset.plan;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.Column;
import io.pgsubset.catalog.ForeignKey;
import io.pgsubset.catalog.Key;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.Table;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a plan against a live catalog and decides every table's mode: names and globs resolve
 * within the plan's schemas, the {@code unlisted} policy covers the rest, declared relations become
 * foreign keys. Reports every problem at once.
 */
public final class PlanResolver {
    /** Part of the message for a table the plan leaves out under {@code unlisted: error}. */
    static final String NOT_LISTED = "is not listed and unlisted is error";

    private final PlanFile plan;
    private final Catalog catalog;
    private final List<PlanProblem> problems = new ArrayList<>();
    private final List<String> schemas;
    /** The tables a plan covers: every table of the schemas except partitions (their root covers them). */
    private final List<Table> candidates;
    private final Map<QualifiedName, Assignment> assigned = new LinkedHashMap<>();
    private final Map<QualifiedName, Mode> modes = new LinkedHashMap<>();
    private final Map<QualifiedName, String> reasons = new LinkedHashMap<>();

    /** Which section put a table where, and whether by its exact name (which beats a glob). */
    private record Assignment(String section, NamePattern pattern, Object entry) {
        boolean explicit() {
            return !pattern.isGlob();
        }
    }

    private PlanResolver(PlanFile plan, Catalog catalog) {
        this.plan = plan;
        this.catalog = catalog;
        this.schemas = resolveSchemas();
        Set<String> in = new HashSet<>(schemas);
        this.candidates = catalog.tables().stream()
                .filter(t -> in.contains(t.name().schema()) && !t.isPartition()).toList();
    }

    /** The plan's mode for every table of its schemas; throws {@link PlanException} with every problem. */
    public static ResolvedPlan resolve(PlanFile plan, Catalog catalog) {
        PlanResolver r = new PlanResolver(plan, catalog);
        ResolvedPlan resolved = r.run();
        PlanException.throwIfAny(r.problems);
        return resolved;
    }

    private ResolvedPlan run() {
        List<ForeignKey> relations = relations();
        PlanGraph graph = new PlanGraph(catalog, relations);
        for (NamePattern p : plan.full()) {
            assign("full", p, p);
        }
        for (NamePattern p : plan.skip()) {
            assign("skip", p, p);
        }
        for (PlanFile.SampleEntry s : plan.sample()) {
            assign("sample", s.table(), s);
        }
        for (PlanFile.FollowEntry f : plan.follow()) {
            assign("follow", f.table(), f);
        }
        for (Table t : candidates) {
            Assignment a = assigned.get(t.name());
            if (t.extensionOwnedData()) {
                if (a != null && a.explicit() && !a.section().equals("skip")) {
                    problem(a.pattern().position(), "table " + t.name().display() + " is owned by extension "
                            + t.extension().orElseThrow() + ": its rows come with CREATE EXTENSION",
                            "remove it from " + a.section());
                }
                modes.put(t.name(), new Mode.Skip());
                reasons.put(t.name(), "owned by extension " + t.extension().orElseThrow()
                        + ": its rows come with CREATE EXTENSION");
            } else if (a != null) {
                modes.put(t.name(), mode(t, a, graph));
                reasons.put(t.name(), plan.source() + ":" + a.pattern().position().line() + ":"
                        + a.pattern().position().column() + ": " + (a.explicit() ? "listed under " + a.section()
                        : a.section() + ": matches " + a.pattern().text()));
            }
        }
        applyUnlisted(graph);
        checkNullableSkippedParents(graph);
        Map<QualifiedName, Map<String, Transform>> transforms = transforms();
        List<TablePlan> tables = new ArrayList<>();
        for (Table t : candidates) {
            Mode m = modes.get(t.name());
            if (m != null) {
                tables.add(new TablePlan(t.name(), m, reasons.get(t.name()),
                        transforms.getOrDefault(t.name(), Map.of())));
            }
        }
        return new ResolvedPlan(schemas, tables, relations, plan.onSkippedParent(), plan.maxRows());
    }

    // ---- names

    private List<String> resolveSchemas() {
        List<String> known = catalog.schemas();
        if (plan.schemas().isEmpty()) {
            return known;
        }
        List<String> out = new ArrayList<>();
        for (Located<String> s : plan.schemas()) {
            if (known.contains(s.value())) {
                if (!out.contains(s.value())) {
                    out.add(s.value());
                }
            } else {
                problem(s.position(), "schema \"" + s.value() + "\" does not exist or has no tables",
                        Suggest.didYouMean(s.value(), known, "schemas with tables: " + String.join(", ", known)));
            }
        }
        return out;
    }

    /** The tables a name or glob stands for; a problem (and nothing) when it stands for none or is ambiguous. */
    List<Table> match(NamePattern p) {
        if (p.isGlob()) {
            List<Table> found = candidates.stream().filter(t -> p.matches(t.name())).toList();
            if (found.isEmpty()) {
                problem(p.position(), "\"" + p.text() + "\" matches no table" + schemaScope(),
                        "check the pattern (names match exactly, case included) or remove it");
            }
            return found;
        }
        List<Table> all = catalog.tables().stream().filter(t -> p.matches(t.name())
                && (p.schema().isPresent() || schemas.contains(t.name().schema()))).toList();
        if (all.size() == 1) {
            Table t = all.get(0);
            if (t.isPartition()) {
                QualifiedName root = catalog.partitionRoot(t.name());
                problem(p.position(), "table " + t.name().display() + " is a partition of " + root.display()
                        + "; partitions go with their partitioned table", "name " + render(root) + " instead");
                return List.of();
            }
            if (!schemas.contains(t.name().schema())) {
                problem(p.position(), "table " + t.name().display() + " is in schema \"" + t.name().schema()
                        + "\", which the plan's schemas leave out", "add " + t.name().schema() + " to schemas");
                return List.of();
            }
            return all;
        }
        if (all.size() > 1) {
            problem(p.position(), "\"" + p.text() + "\" is ambiguous: it names "
                            + String.join(" and ", all.stream().map(t -> t.name().display()).toList()),
                    "qualify it with its schema, e.g. " + render(all.get(0).name()));
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (Table t : candidates) {
            names.add(p.schema().isPresent() ? NamePattern.render(t.name(), true)
                    : NamePattern.renderPart(t.name().name()));
        }
        String written = p.schema().isPresent() ? p.text().strip() : NamePattern.renderPart(p.name().text());
        problem(p.position(), "table \"" + p.text() + "\" not found" + schemaScope(),
                Suggest.didYouMean(written, names, "check the name (matched exactly, case included; "
                        + "quote mixed-case names: '\"MyTable\"')"));
        return List.of();
    }

    private String schemaScope() {
        return " in schema" + (schemas.size() == 1 ? " " : "s ") + String.join(", ", schemas);
    }

    /** How the plan would write this table: bare when the name is unique among the covered schemas. */
    String render(QualifiedName name) {
        long same = catalog.tables().stream().filter(t -> t.name().name().equals(name.name())
                && schemas.contains(t.name().schema())).count();
        return NamePattern.render(name, same > 1 || !schemas.contains(name.schema()));
    }

    private void assign(String section, NamePattern p, Object entry) {
        for (Table t : match(p)) {
            Assignment now = new Assignment(section, p, entry);
            Assignment before = assigned.get(t.name());
            if (before == null) {
                assigned.put(t.name(), now);
            } else if (before.explicit() != now.explicit()) {
                if (now.explicit()) {
                    assigned.put(t.name(), now);
                }
            } else if (before.section().equals(section) && !now.explicit()) {
                continue;
            } else {
                String where = before.section().equals(section) ? "twice under " + section
                        : "under both " + before.section() + " and " + section;
                problem(p.position(), "table " + t.name().display() + " is listed " + where + " (first at line "
                        + before.pattern().position().line() + ")", "keep it in one place");
            }
        }
    }

    // ---- modes

    private Mode mode(Table t, Assignment a, PlanGraph graph) {
        return switch (a.section()) {
            case "full" -> new Mode.Full();
            case "skip" -> new Mode.Skip();
            case "sample" -> sample(t, (PlanFile.SampleEntry) a.entry());
            default -> follow(t, (PlanFile.FollowEntry) a.entry(), graph);
        };
    }

    private Mode sample(Table t, PlanFile.SampleEntry s) {
        List<String> orderBy = new ArrayList<>();
        for (Located<String> c : s.orderBy()) {
            if (column(t, c).isPresent()) {
                orderBy.add(c.value());
            }
        }
        if (s.rate().value() instanceof SampleRate.Every && s.orderBy().isEmpty()
                && t.identityColumns().isEmpty()) {
            problem(s.rate().position(), "table " + t.name().display()
                            + " has no primary key or NOT NULL unique key to order an every-Nth sample by",
                    "add order_by: [columns] (or use percent)");
        }
        return new Mode.Sample(s.rate().value(), orderBy, s.limit(), s.where().map(Located::value));
    }

    private Mode follow(Table t, PlanFile.FollowEntry f, PlanGraph graph) {
        List<ForeignKey> own = graph.from(t.name());
        List<ForeignKey> via = new ArrayList<>();
        for (Located<String> v : f.via()) {
            List<ForeignKey> found = viaMatches(own, v.value());
            if (found.isEmpty()) {
                Set<String> fkColumns = new LinkedHashSet<>();
                own.forEach(fk -> fkColumns.add(String.join(", ", fk.childColumns())));
                Set<String> names = new LinkedHashSet<>(fkColumns);
                own.forEach(fk -> names.add(fk.name()));
                problem(v.position(), "via: \"" + v.value() + "\" is not a foreign key of " + t.name().display(),
                        own.isEmpty() ? "the table has no foreign keys: declare one under relations or remove via"
                                : Suggest.closest(v.value(), names).map(c -> "did you mean \"" + c + "\"?")
                                .orElse("its foreign keys are on (" + String.join("), (", fkColumns) + ")"));
            }
            for (ForeignKey fk : found) {
                if (!via.contains(fk)) {
                    via.add(fk);
                }
            }
        }
        return new Mode.Follow(via, f.limit());
    }

    /** A via entry is a constraint name, a column list {@code a, b} or one column of a key. */
    private static List<ForeignKey> viaMatches(List<ForeignKey> own, String written) {
        List<ForeignKey> byName = own.stream().filter(fk -> fk.name().equals(written)).toList();
        if (!byName.isEmpty()) {
            return byName;
        }
        String stripped = written.strip();
        if (stripped.startsWith("(") && stripped.endsWith(")")) {
            stripped = stripped.substring(1, stripped.length() - 1);
        }
        List<String> cols = java.util.Arrays.stream(stripped.split(",")).map(String::strip)
                .map(PlanLoader::columnName).toList();
        List<ForeignKey> exact = own.stream().filter(fk -> fk.childColumns().equals(cols)).toList();
        if (!exact.isEmpty() || cols.size() > 1) {
            return exact;
        }
        return own.stream().filter(fk -> fk.childColumns().contains(cols.get(0))).toList();
    }

    private Optional<Column> column(Table t, Located<String> c) {
        Optional<Column> col = t.column(c.value());
        if (col.isEmpty()) {
            problem(c.position(), "column \"" + c.value() + "\" not found in " + t.name().display(),
                    Suggest.didYouMean(c.value(), t.columns().stream().map(Column::name).toList(),
                            "its columns are " + String.join(", ", t.columns().stream().map(Column::name).toList())));
        }
        return col;
    }

    // ---- unlisted tables

    private void applyUnlisted(PlanGraph graph) {
        Unlisted policy = plan.unlisted().value();
        List<Table> unlisted = candidates.stream().filter(t -> !modes.containsKey(t.name())).toList();
        if (policy == Unlisted.AUTO) {
            followReferencing(graph, unlisted);
        }
        for (Table t : unlisted) {
            if (modes.containsKey(t.name())) {
                continue;
            }
            switch (policy) {
                case AUTO, FULL -> put(t, new Mode.Full(), "unlisted: " + policy.keyword());
                case FOLLOW -> put(t, new Mode.Follow(List.of(), OptionalLong.empty()), "unlisted: follow");
                case SKIP -> put(t, new Mode.Skip(), "unlisted: skip");
                case ERROR -> problem(plan.unlisted().position(), "table " + t.name().display()
                                + " " + NOT_LISTED,
                        "add " + render(t.name()) + " to full, skip, sample or follow");
            }
        }
    }

    /**
     * unlisted: auto. An unlisted table that references a sampled or following table, directly or
     * through other such tables, follows. Breadth first from the restricted tables, so the reason
     * names a shortest path.
     */
    private void followReferencing(PlanGraph graph, List<Table> unlisted) {
        Set<QualifiedName> open = new HashSet<>();
        unlisted.forEach(t -> open.add(t.name()));
        Map<QualifiedName, List<ForeignKey>> pathTo = new LinkedHashMap<>();
        Map<QualifiedName, QualifiedName> origin = new LinkedHashMap<>();
        Deque<QualifiedName> queue = new ArrayDeque<>();
        for (Map.Entry<QualifiedName, Mode> e : new TreeMap<>(modes).entrySet()) {
            if (e.getValue() instanceof Mode.Sample || e.getValue() instanceof Mode.Follow) {
                queue.add(e.getKey());
                pathTo.put(e.getKey(), List.of());
                origin.put(e.getKey(), e.getKey());
            }
        }
        while (!queue.isEmpty()) {
            QualifiedName parent = queue.poll();
            for (ForeignKey fk : graph.to(parent)) {
                QualifiedName child = fk.child();
                if (!open.remove(child)) {
                    continue;
                }
                List<ForeignKey> path = new ArrayList<>();
                path.add(fk);
                path.addAll(pathTo.get(parent));
                pathTo.put(child, path);
                origin.put(child, origin.get(parent));
                QualifiedName root = origin.get(parent);
                StringBuilder reason = new StringBuilder("unlisted: auto; references ").append(root.display())
                        .append(" (").append(modes.get(root).keyword()).append(") via ");
                for (int i = 0; i < path.size(); i++) {
                    ForeignKey step = path.get(i);
                    reason.append(i == 0 ? "" : " -> ").append(NamePattern.renderPart(step.child().name()))
                            .append('(').append(String.join(", ", step.childColumns())).append(')');
                }
                modes.put(child, new Mode.Follow(List.of(), OptionalLong.empty()));
                reasons.put(child, reason.toString());
                queue.add(child);
            }
        }
    }

    private void put(Table t, Mode m, String reason) {
        modes.put(t.name(), m);
        reasons.put(t.name(), reason);
    }

    // ---- relations

    private List<ForeignKey> relations() {
        List<ForeignKey> out = new ArrayList<>();
        for (PlanFile.RelationEntry r : plan.relations()) {
            List<Table> child = match(r.child());
            List<Table> parent = match(r.parent());
            if (child.size() != 1 || parent.size() != 1) {
                continue;
            }
            Table c = child.get(0);
            Table p = parent.get(0);
            List<Column> cc = relationColumns(c, r.childColumns(), r.child().position());
            List<Column> pc = relationColumns(p, r.parentColumns(), r.parent().position());
            if (cc.size() != r.childColumns().size() || pc.size() != r.parentColumns().size()) {
                continue;
            }
            boolean typesMatch = true;
            for (int i = 0; i < cc.size(); i++) {
                if (!cc.get(i).baseType().equals(pc.get(i).baseType())) {
                    problem(r.parent().position(), "relation column types differ: " + c.name().display() + "."
                                    + cc.get(i).name() + " is " + cc.get(i).type() + " but " + p.name().display() + "."
                                    + pc.get(i).name() + " is " + pc.get(i).type(),
                            "relate columns of the same type");
                    typesMatch = false;
                }
            }
            if (!typesMatch) {
                continue;
            }
            Set<String> parentCols = new HashSet<>(r.parentColumns());
            List<Key> keys = new ArrayList<>(p.uniqueKeys());
            p.primaryKey().ifPresent(keys::add);
            if (keys.stream().noneMatch(k -> new HashSet<>(k.columns()).equals(parentCols))) {
                problem(r.parent().position(), "relation's parent columns (" + String.join(", ", r.parentColumns())
                                + ") are not a primary key or unique key of " + p.name().display(),
                        "reference the parent's primary key or a unique key (a child row must match one parent row)");
                continue;
            }
            String name = "plan:" + NamePattern.renderPart(c.name().name()) + "(" + String.join(",", r.childColumns())
                    + ")->" + NamePattern.renderPart(p.name().name()) + "(" + String.join(",", r.parentColumns()) + ")";
            ForeignKey fk = new ForeignKey(name, c.name(), r.childColumns(), p.name(), r.parentColumns(), false, true,
                    false);
            if (out.stream().anyMatch(o -> o.child().equals(fk.child()) && o.childColumns().equals(fk.childColumns())
                    && o.parent().equals(fk.parent()) && o.parentColumns().equals(fk.parentColumns()))) {
                problem(r.position(), "relation " + fk.describe() + " is declared twice", "keep one of them");
                continue;
            }
            out.add(fk);
        }
        return out;
    }

    private List<Column> relationColumns(Table t, List<String> names, Position at) {
        List<Column> out = new ArrayList<>();
        for (String n : names) {
            column(t, new Located<>(n, at)).ifPresent(out::add);
        }
        return out;
    }

    // ---- transforms

    private Map<QualifiedName, Map<String, Transform>> transforms() {
        Map<QualifiedName, Map<String, Transform>> out = new LinkedHashMap<>();
        for (PlanFile.TransformEntry e : plan.transforms()) {
            for (Table t : match(e.table())) {
                Map<String, Transform> columns = out.computeIfAbsent(t.name(), k -> new LinkedHashMap<>());
                for (PlanFile.ColumnTransform ct : e.columns()) {
                    Optional<Column> col = column(t, ct.column());
                    if (col.isEmpty()) {
                        continue;
                    }
                    if (col.get().generated()) {
                        problem(ct.column().position(), "column " + col.get().name() + " of " + t.name().display()
                                + " is generated: it is never dumped", "remove its transform");
                        continue;
                    }
                    if (ct.transform() instanceof Transform.Sql sql && sql.expression().matches("[a-z_]+")
                            && t.column(sql.expression()).isEmpty()) {
                        problem(ct.position(), "\"" + sql.expression() + "\" is neither a built-in transform nor a "
                                        + "column of " + t.name().display(),
                                Suggest.didYouMean(sql.expression(), PlanLoader.BUILTIN_NAMES,
                                        "use a built-in (" + String.join(", ", PlanLoader.BUILTIN_NAMES)
                                                + ") or a SQL expression"));
                        continue;
                    }
                    columns.put(col.get().name(), ct.transform());
                }
            }
        }
        return out;
    }

    /**
     * on_skipped_parent: null writes NULL into the columns that reference a skipped table. A NOT
     * NULL one can never take it, which the catalog shows before the dump reads a row: reported
     * at the entry that skips the parent.
     */
    private void checkNullableSkippedParents(PlanGraph graph) {
        if (plan.onSkippedParent() != OnSkippedParent.NULL) {
            return;
        }
        for (ForeignKey fk : graph.edges()) {
            Mode child = modes.get(fk.child());
            if (child == null || child instanceof Mode.Skip || !(modes.get(fk.parent()) instanceof Mode.Skip)
                    || catalog.require(fk.parent()).extensionOwnedData()) {
                continue;
            }
            Table table = catalog.require(fk.child());
            List<String> notNull = fk.childColumns().stream()
                    .filter(c -> table.column(c).map(Column::notNull).orElse(false)).toList();
            if (notNull.isEmpty()) {
                continue;
            }
            Assignment a = assigned.get(fk.parent());
            Position at = a != null ? a.pattern().position() : plan.unlisted().position();
            problem(at, "table " + fk.parent().display() + " is skipped, but on_skipped_parent: null cannot null "
                            + "NOT NULL column " + fk.child().display() + "." + String.join(", ", notNull) + " ("
                            + fk.describe() + ") of " + child.keyword() + " table " + fk.child().display()
                            + ": the dump would fail on its first row that references it",
                    "copy " + render(fk.parent()) + " (full or follow) instead of skipping it, or skip "
                            + render(fk.child()) + " too");
        }
    }

    private void problem(Position at, String message, String fix) {
        problems.add(new PlanProblem(plan.source(), at, message, fix));
    }
}
