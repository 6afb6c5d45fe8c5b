package io.pgsubset.plan;

import io.pgsubset.error.Messages;
import io.pgsubset.error.UsageException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a plan file with SnakeYAML's node API, so every problem carries its line and column, and
 * checks its structure: known keys, right types, sane numbers. Reports every problem of the file
 * at once. Names are checked against a database later, by {@link PlanResolver}.
 */
public final class PlanLoader {
    public static final int VERSION = 1;
    /** The seed of {@code percent:} samples when the plan gives none, so reruns select the same rows. */
    public static final long DEFAULT_SEED = 0;

    static final List<String> TOP_KEYS = List.of("version", "schemas", "unlisted", "full", "skip", "sample",
            "follow", "relations", "on_skipped_parent", "max_rows", "transform");
    static final List<String> SAMPLE_KEYS = List.of("every", "percent", "seed", "order_by", "limit", "where");
    static final List<String> FOLLOW_KEYS = List.of("via", "limit");
    static final List<String> RELATION_KEYS = List.of("child", "parent");
    static final List<String> BUILTIN_NAMES = List.of("email", "hash", "name", "null", "keep_length");
    static final List<String> BUILTIN_KEYS = List.of("constant", "digits");
    private static final Pattern TABLE_COLUMNS = Pattern.compile("(?s)^(.+?)\\s*\\((.*)\\)\\s*$");

    private final String source;
    private final List<PlanProblem> problems = new ArrayList<>();

    private PlanLoader(String source) {
        this.source = source;
    }

    /** Reads and checks the plan at {@code path}; throws {@link PlanException} with every problem. */
    public static PlanFile load(Path path) {
        Parsed parsed = read(path);
        PlanException.throwIfAny(parsed.problems());
        return parsed.file().orElseThrow();
    }

    /**
     * A plan as far as it could be read, and its problems: entries with problems are left out of
     * {@code file}, so the rest can still be resolved and every problem reported in one run.
     *
     * @param file empty when nothing could be read (YAML syntax error, empty file, not a map)
     */
    public record Parsed(Optional<PlanFile> file, List<PlanProblem> problems) {
        public Parsed {
            problems = List.copyOf(problems);
        }
    }

    /** Like {@link #load} but returns the problems instead of throwing them (I/O errors still throw). */
    public static Parsed read(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("plan file " + path + " does not exist - check the --plan path");
        } catch (CharacterCodingException e) {
            throw new PlanException(List.of(new PlanProblem(path.toString(), Position.START,
                    "the file is not UTF-8 text", "save the plan as UTF-8")));
        } catch (IOException e) {
            throw new UsageException("cannot read plan file " + path + ": " + e.getMessage(), e);
        }
        PlanLoader loader = new PlanLoader(path.toString());
        PlanFile plan = loader.read(text);
        return new Parsed(Optional.ofNullable(plan), loader.problems);
    }

    /** Checks plan text; {@code source} names it in messages. */
    public static PlanFile parse(String source, String text) {
        PlanLoader loader = new PlanLoader(source);
        PlanFile plan = loader.read(text);
        PlanException.throwIfAny(loader.problems);
        return plan;
    }

    private PlanFile read(String text) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowRecursiveKeys(false);
            options.setMaxAliasesForCollections(10);
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Position at = Position.of(e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark());
            String problem = e.getProblem() == null ? Messages.firstLine(e) : e.getProblem();
            if (problem.contains("\\t") || problem.contains("TAB")) {
                problem("tab character where YAML allows only spaces", "indent with spaces, not tabs", at);
            } else {
                problem("YAML syntax error: " + problem, "fix the YAML syntax at this place", at);
            }
            return null;
        } catch (YAMLException e) {
            problem("YAML error: " + e.getMessage(), "fix the YAML syntax", Position.START);
            return null;
        }
        if (root == null || isNull(root)) {
            problem("the plan is empty", "start with \"version: 1\" (pgsubset plan init writes a starter plan)",
                    Position.START);
            return null;
        }
        Map<String, NodeTuple> top = mapping(root, "the plan", TOP_KEYS);
        if (top == null) {
            return null;
        }
        int version = version(top.get("version"), Position.of(root));
        List<Located<String>> schemas = top.containsKey("schemas") ? schemas(top.get("schemas").getValueNode())
                : List.of();
        Located<Unlisted> unlisted = top.containsKey("unlisted") ? unlisted(top.get("unlisted").getValueNode())
                : new Located<>(Unlisted.AUTO, Position.START);
        List<NamePattern> full = nameList(top.get("full"));
        List<NamePattern> skip = nameList(top.get("skip"));
        List<PlanFile.SampleEntry> sample = sample(top.get("sample"));
        List<PlanFile.FollowEntry> follow = follow(top.get("follow"));
        List<PlanFile.RelationEntry> relations = relations(top.get("relations"));
        OnSkippedParent onSkippedParent = onSkippedParent(top.get("on_skipped_parent"));
        OptionalLong maxRows = top.containsKey("max_rows")
                ? positive(top.get("max_rows").getValueNode(), "max_rows", 1) : OptionalLong.empty();
        List<PlanFile.TransformEntry> transforms = transforms(top.get("transform"));
        return new PlanFile(source, version, schemas, unlisted, full, skip, sample, follow, relations,
                onSkippedParent, maxRows, transforms);
    }

    // ---- sections

    private int version(NodeTuple tuple, Position rootStart) {
        if (tuple == null) {
            problem("the plan has no version", "add \"version: 1\" as the first line", rootStart);
            return VERSION;
        }
        Node v = tuple.getValueNode();
        OptionalLong n = integer(v, "version");
        if (n.isPresent() && n.getAsLong() != VERSION) {
            problem("unknown plan version " + n.getAsLong() + ", this pgsubset reads version " + VERSION,
                    "write \"version: 1\" (or use the pgsubset release that wrote this plan)", Position.of(v));
        }
        return VERSION;
    }

    private List<Located<String>> schemas(Node node) {
        List<Located<String>> out = new ArrayList<>();
        for (Node item : sequence(node, "schemas", "a list of schema names, e.g. [public]")) {
            string(item, "a schema name").ifPresent(s -> {
                String name = s.length() > 1 && s.startsWith("\"") && s.endsWith("\"")
                        ? s.substring(1, s.length() - 1).replace("\"\"", "\"") : s;
                out.add(new Located<>(name, Position.of(item)));
            });
        }
        return out;
    }

    private Located<Unlisted> unlisted(Node node) {
        Optional<String> s = string(node, "unlisted");
        if (s.isPresent()) {
            for (Unlisted u : Unlisted.values()) {
                if (u.keyword().equals(s.get())) {
                    return new Located<>(u, Position.of(node));
                }
            }
            List<String> keywords = java.util.Arrays.stream(Unlisted.values()).map(Unlisted::keyword).toList();
            problem("unlisted: \"" + s.get() + "\" is not a policy",
                    Suggest.closest(s.get(), keywords).map(c -> "did you mean \"" + c + "\"? ").orElse("")
                            + "use one of auto, full, follow, skip, error", Position.of(node));
        }
        return new Located<>(Unlisted.AUTO, Position.of(node));
    }

    private OnSkippedParent onSkippedParent(NodeTuple tuple) {
        if (tuple == null) {
            return OnSkippedParent.ERROR;
        }
        Node node = tuple.getValueNode();
        if (node instanceof ScalarNode sc && sc.getTag().equals(Tag.NULL) && !sc.getValue().isEmpty()) {
            return OnSkippedParent.NULL;
        }
        Optional<String> s = string(node, "on_skipped_parent");
        if (s.isPresent()) {
            switch (s.get()) {
                case "error":
                    return OnSkippedParent.ERROR;
                case "null":
                    return OnSkippedParent.NULL;
                default:
                    problem("on_skipped_parent: \"" + s.get() + "\" is not a choice", "use error or null",
                            Position.of(node));
            }
        }
        return OnSkippedParent.ERROR;
    }

    private List<NamePattern> nameList(NodeTuple tuple) {
        List<NamePattern> out = new ArrayList<>();
        if (tuple == null) {
            return out;
        }
        String section = keyOf(tuple);
        for (Node item : sequence(tuple.getValueNode(), section, "a list of table names, e.g. [orders, \"auth_*\"]")) {
            tableName(item).ifPresent(out::add);
        }
        return out;
    }

    private List<PlanFile.SampleEntry> sample(NodeTuple tuple) {
        List<PlanFile.SampleEntry> out = new ArrayList<>();
        if (tuple == null) {
            return out;
        }
        List<Map.Entry<NamePattern, MappingNode>> entries = tableMap(tuple.getValueNode(), "sample",
                "a map from table to its sample, e.g. \"orders: {every: 100}\"");
        for (Map.Entry<NamePattern, MappingNode> e : entries) {
            NamePattern table = e.getKey();
            Map<String, NodeTuple> keys = mapping(e.getValue(), "sample of " + table.text(), SAMPLE_KEYS);
            if (keys == null) {
                continue;
            }
            NodeTuple every = keys.get("every");
            NodeTuple percent = keys.get("percent");
            NodeTuple seed = keys.get("seed");
            Located<SampleRate> rate = null;
            if (every != null && percent != null) {
                problem("sample of " + table.text() + " has both every and percent",
                        "keep one of them", Position.of(percent.getKeyNode()));
            } else if (every != null) {
                OptionalLong n = integer(every.getValueNode(), "every");
                if (n.isPresent() && n.getAsLong() < 1) {
                    problem("every: " + n.getAsLong() + " selects no rows",
                            "use 1 or more (every: 1 takes every row; for no rows use skip)",
                            Position.of(every.getValueNode()));
                } else if (n.isPresent()) {
                    rate = new Located<>(new SampleRate.Every(n.getAsLong()), Position.of(every.getKeyNode()));
                }
                if (seed != null) {
                    problem("seed belongs to percent samples, every: N is already deterministic",
                            "remove seed", Position.of(seed.getKeyNode()));
                }
            } else if (percent != null) {
                rate = percentRate(percent, seed);
            } else if (!hadUnknownKeys(e.getValue(), keys)) {
                problem("sample of " + table.text() + " says neither every nor percent",
                        "add \"every: N\" (every Nth row) or \"percent: P\"", table.position());
            }
            List<Located<String>> orderBy = keys.containsKey("order_by")
                    ? columns(keys.get("order_by").getValueNode(), "order_by") : List.of();
            OptionalLong limit = keys.containsKey("limit")
                    ? positive(keys.get("limit").getValueNode(), "limit", 0) : OptionalLong.empty();
            Optional<Located<String>> where = Optional.empty();
            if (keys.containsKey("where")) {
                Node w = keys.get("where").getValueNode();
                Optional<String> sql = string(w, "where (a SQL condition)");
                if (sql.isPresent() && sql.get().isBlank()) {
                    problem("where is empty", "write a SQL condition or remove where", Position.of(w));
                } else if (sql.isPresent() && SqlText.hasStatementSeparator(sql.get())) {
                    problem("where contains a semicolon: a filter is one SQL condition, not statements",
                            "remove the semicolon", Position.of(w));
                } else {
                    where = sql.map(s -> new Located<>(s, Position.of(w)));
                }
            }
            if (rate != null) {
                out.add(new PlanFile.SampleEntry(table, rate, orderBy, limit, where));
            }
        }
        return out;
    }

    private Located<SampleRate> percentRate(NodeTuple percent, NodeTuple seed) {
        Node p = percent.getValueNode();
        Optional<Double> value = number(p, "percent");
        long seedValue = DEFAULT_SEED;
        boolean ok = value.isPresent();
        if (seed != null) {
            OptionalLong s = integer(seed.getValueNode(), "seed");
            ok &= s.isPresent();
            seedValue = s.orElse(DEFAULT_SEED);
        }
        if (value.isPresent() && !(value.get() > 0 && value.get() <= 100)) {
            problem("percent: " + ((ScalarNode) p).getValue() + " is outside (0, 100]",
                    "use a percentage above 0 and at most 100", Position.of(p));
            return null;
        }
        return ok ? new Located<>(new SampleRate.Percent(value.get(), seedValue), Position.of(percent.getKeyNode()))
                : null;
    }

    private List<PlanFile.FollowEntry> follow(NodeTuple tuple) {
        List<PlanFile.FollowEntry> out = new ArrayList<>();
        if (tuple == null) {
            return out;
        }
        List<Map.Entry<NamePattern, MappingNode>> entries = tableMap(tuple.getValueNode(), "follow",
                "a map from table to its options, e.g. \"order_lines: {limit: 50000}\" or \"order_lines: {}\"");
        for (Map.Entry<NamePattern, MappingNode> e : entries) {
            Map<String, NodeTuple> keys = mapping(e.getValue(), "follow of " + e.getKey().text(), FOLLOW_KEYS);
            if (keys == null) {
                continue;
            }
            List<Located<String>> via = keys.containsKey("via") ? columns(keys.get("via").getValueNode(), "via")
                    : List.of();
            OptionalLong limit = keys.containsKey("limit")
                    ? positive(keys.get("limit").getValueNode(), "limit", 0) : OptionalLong.empty();
            out.add(new PlanFile.FollowEntry(e.getKey(), via, limit));
        }
        return out;
    }

    private List<PlanFile.RelationEntry> relations(NodeTuple tuple) {
        List<PlanFile.RelationEntry> out = new ArrayList<>();
        if (tuple == null) {
            return out;
        }
        for (Node item : sequence(tuple.getValueNode(), "relations",
                "a list of {child: table(columns), parent: table(columns)} entries")) {
            Map<String, NodeTuple> keys = mapping(item, "a relation", RELATION_KEYS);
            if (keys == null) {
                continue;
            }
            boolean complete = true;
            for (String k : RELATION_KEYS) {
                if (!keys.containsKey(k)) {
                    problem("relation has no " + k, "add \"" + k + ": table(column)\"", Position.of(item));
                    complete = false;
                }
            }
            if (!complete) {
                continue;
            }
            Optional<TableColumns> child = tableColumns(keys.get("child").getValueNode());
            Optional<TableColumns> parent = tableColumns(keys.get("parent").getValueNode());
            if (child.isEmpty() || parent.isEmpty()) {
                continue;
            }
            if (child.get().columns.size() != parent.get().columns.size()) {
                problem("relation has " + child.get().columns.size() + " child column(s) but "
                                + parent.get().columns.size() + " parent column(s)",
                        "list matching columns on both sides", Position.of(keys.get("parent").getValueNode()));
                continue;
            }
            out.add(new PlanFile.RelationEntry(Position.of(item), child.get().table, child.get().columns,
                    parent.get().table, parent.get().columns));
        }
        return out;
    }

    private record TableColumns(NamePattern table, List<String> columns) {
    }

    private Optional<TableColumns> tableColumns(Node node) {
        Optional<String> text = string(node, "table(columns)");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = TABLE_COLUMNS.matcher(text.get());
        if (!m.matches()) {
            problem("\"" + text.get() + "\" names no columns", "write it as table(column) or table(a, b)",
                    Position.of(node));
            return Optional.empty();
        }
        NamePattern table;
        try {
            table = NamePattern.parse(m.group(1), Position.of(node));
        } catch (IllegalArgumentException e) {
            problem(e.getMessage(), "write the table as name or schema.name", Position.of(node));
            return Optional.empty();
        }
        if (table.isGlob()) {
            problem("a relation names one table, \"" + table.text() + "\" is a glob", "name the table exactly",
                    Position.of(node));
            return Optional.empty();
        }
        List<String> columns = new ArrayList<>();
        for (String c : m.group(2).split(",")) {
            String col = columnName(c.strip());
            if (col.isEmpty()) {
                problem("\"" + text.get() + "\" has an empty column name", "list columns separated by commas",
                        Position.of(node));
                return Optional.empty();
            }
            columns.add(col);
        }
        return Optional.of(new TableColumns(table, columns));
    }

    private List<PlanFile.TransformEntry> transforms(NodeTuple tuple) {
        List<PlanFile.TransformEntry> out = new ArrayList<>();
        if (tuple == null) {
            return out;
        }
        List<Map.Entry<NamePattern, MappingNode>> entries = tableMap(tuple.getValueNode(), "transform",
                "a map from table to {column: transform}");
        for (Map.Entry<NamePattern, MappingNode> e : entries) {
            Map<String, NodeTuple> keys = mapping(e.getValue(), "transform of " + e.getKey().text(), null);
            if (keys == null) {
                continue;
            }
            List<PlanFile.ColumnTransform> columns = new ArrayList<>();
            for (NodeTuple t : keys.values()) {
                Node keyNode = t.getKeyNode();
                String column = columnName(((ScalarNode) keyNode).getValue());
                transform(t.getValueNode()).ifPresent(tr -> columns.add(new PlanFile.ColumnTransform(
                        new Located<>(column, Position.of(keyNode)), tr, Position.of(t.getValueNode()))));
            }
            out.add(new PlanFile.TransformEntry(e.getKey(), columns));
        }
        return out;
    }

    private Optional<Transform> transform(Node node) {
        String fix = "use a built-in (email, hash, name, null, keep_length, {constant: X}, {digits: N}) "
                + "or a SQL expression in quotes";
        if (node instanceof ScalarNode sc) {
            if (sc.getTag().equals(Tag.NULL)) {
                return Optional.of(new Transform.Null());
            }
            if (!sc.getTag().equals(Tag.STR)) {
                problem("transform " + sc.getValue() + " is not a text", fix, Position.of(node));
                return Optional.empty();
            }
            String v = sc.getValue();
            if (v.isBlank()) {
                problem("transform is empty", fix, Position.of(node));
                return Optional.empty();
            }
            return Optional.ofNullable(switch (v) {
                case "email" -> new Transform.Email();
                case "hash" -> new Transform.Hash();
                case "name" -> new Transform.Name();
                case "null" -> new Transform.Null();
                case "keep_length" -> new Transform.KeepLength();
                default -> {
                    if (SqlText.hasStatementSeparator(v)) {
                        problem("transform contains a semicolon: it is one SQL expression, not statements",
                                "remove the semicolon", Position.of(node));
                        yield null;
                    }
                    yield new Transform.Sql(v);
                }
            });
        }
        if (node instanceof MappingNode) {
            Map<String, NodeTuple> keys = mapping(node, "a built-in transform", BUILTIN_KEYS);
            if (keys == null) {
                return Optional.empty();
            }
            if (keys.size() != 1 && !hadUnknownKeys(node, keys)) {
                problem("a built-in transform has exactly one key, found " + keys.size(),
                        "write {constant: X} or {digits: N}", Position.of(node));
                return Optional.empty();
            }
            if (keys.size() != 1) {
                return Optional.empty();
            }
            if (keys.containsKey("constant")) {
                Node v = keys.get("constant").getValueNode();
                if (v instanceof ScalarNode sc && !sc.getTag().equals(Tag.NULL)) {
                    return Optional.of(new Transform.Constant(sc.getValue()));
                }
                problem("constant needs a value", "write {constant: \"text\"} (for NULL use the null transform)",
                        Position.of(v));
                return Optional.empty();
            }
            Node v = keys.get("digits").getValueNode();
            OptionalLong n = integer(v, "digits");
            if (n.isPresent() && (n.getAsLong() < 1 || n.getAsLong() > 100)) {
                problem("digits: " + n.getAsLong() + " is out of range", "use 1 to 100 digits", Position.of(v));
                return Optional.empty();
            }
            return n.isPresent() ? Optional.of(new Transform.Digits((int) n.getAsLong())) : Optional.empty();
        }
        problem("a transform is a text or a one-key map, found a list", fix, Position.of(node));
        return Optional.empty();
    }

    // ---- node helpers

    /** The keys of a mapping; unknown keys (when {@code known} is given) and duplicates are problems. */
    private Map<String, NodeTuple> mapping(Node node, String what, List<String> known) {
        if (!(node instanceof MappingNode map)) {
            if (isNull(node) && known != null && !what.equals("the plan")) {
                return new LinkedHashMap<>();
            }
            problem(what + " must be a map (key: value lines), found " + kind(node),
                    "write it as \"key: value\" lines", Position.of(node));
            return null;
        }
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            Node k = t.getKeyNode();
            if (!(k instanceof ScalarNode sk)) {
                problem("a key in " + what + " is not a plain name", "write keys as plain names", Position.of(k));
                continue;
            }
            String key = sk.getValue();
            if (out.containsKey(key)) {
                problem("duplicate key \"" + key + "\" in " + what + " (first at line "
                                + Position.of(out.get(key).getKeyNode()).line() + ")",
                        "keep one of them", Position.of(k));
                continue;
            }
            if (known != null && !known.contains(key)) {
                problem("unknown key \"" + key + "\" in " + what,
                        Suggest.closest(key, known).map(c -> "did you mean \"" + c + "\"?")
                                .orElse("use one of " + String.join(", ", known)), Position.of(k));
                continue;
            }
            out.put(key, t);
        }
        return out;
    }

    /**
     * A section keyed by table names: its tables in the plan's order, each with its mapping (an
     * empty value means no options). A list of pairs, not a map keyed by pattern: a key's hash went
     * through the pattern's record hashCode, whose bootstrap method cost 8 ms at start-up, and the
     * names are checked unique here already.
     */
    private List<Map.Entry<NamePattern, MappingNode>> tableMap(Node node, String section, String shape) {
        List<Map.Entry<NamePattern, MappingNode>> out = new ArrayList<>();
        if (isNull(node)) {
            return out;
        }
        if (!(node instanceof MappingNode map)) {
            problem(section + " must be " + shape + ", found " + kind(node), "write one \"table:\" line per table",
                    Position.of(node));
            return out;
        }
        Map<String, Position> seen = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            Optional<NamePattern> name = tableName(t.getKeyNode());
            if (name.isEmpty()) {
                continue;
            }
            Position previous = seen.putIfAbsent(name.get().text(), name.get().position());
            if (previous != null) {
                problem("duplicate key \"" + name.get().text() + "\" in " + section + " (first at line "
                        + previous.line() + ")", "keep one of them", name.get().position());
                continue;
            }
            Node value = t.getValueNode();
            if (isNull(value)) {
                out.add(Map.entry(name.get(), new MappingNode(Tag.MAP, true, new ArrayList<>(), value.getStartMark(),
                        value.getEndMark(), org.yaml.snakeyaml.DumperOptions.FlowStyle.FLOW)));
            } else if (value instanceof MappingNode m) {
                out.add(Map.entry(name.get(), m));
            } else {
                problem(section + " of " + name.get().text() + " must be a map of options, found " + kind(value),
                        "write its options as \"key: value\" lines below it", Position.of(value));
            }
        }
        return out;
    }

    private List<Node> sequence(Node node, String what, String shape) {
        if (node instanceof SequenceNode seq) {
            return seq.getValue();
        }
        if (isNull(node)) {
            return List.of();
        }
        if (node instanceof ScalarNode && !what.equals("relations")) {
            return List.of(node);
        }
        problem(what + " must be " + shape + ", found " + kind(node), "write a YAML list: [a, b] or \"- a\" lines",
                Position.of(node));
        return List.of();
    }

    private Optional<NamePattern> tableName(Node node) {
        Optional<String> text = string(node, "a table name");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(NamePattern.parse(text.get(), Position.of(node)));
        } catch (IllegalArgumentException e) {
            problem(e.getMessage(), "write the table as name, schema.name or \"Quoted Name\" (YAML-quoted: '\"My Table\"')",
                    Position.of(node));
            return Optional.empty();
        }
    }

    private List<Located<String>> columns(Node node, String what) {
        List<Located<String>> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Node item : sequence(node, what, "a column name or a list of them")) {
            Optional<String> s = string(item, "a column name");
            if (s.isEmpty()) {
                continue;
            }
            String col = columnName(s.get().strip());
            if (col.isEmpty()) {
                problem(what + " has an empty column name", "name a column", Position.of(item));
            } else if (!seen.add(col)) {
                problem(what + " lists " + col + " twice", "list each column once", Position.of(item));
            } else {
                out.add(new Located<>(col, Position.of(item)));
            }
        }
        return out;
    }

    /** A column as written: {@code "Mixed Case"} loses its quotes, other text stays as is. */
    static String columnName(String text) {
        if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
            return text.substring(1, text.length() - 1).replace("\"\"", "\"");
        }
        return text;
    }

    private Optional<String> string(Node node, String what) {
        if (node instanceof ScalarNode sc && !(sc.getTag().equals(Tag.NULL) && sc.getValue().isEmpty())) {
            return Optional.of(sc.getValue());
        }
        problem("expected " + what + ", found " + kind(node), "write " + what + " here", Position.of(node));
        return Optional.empty();
    }

    private OptionalLong integer(Node node, String what) {
        if (node instanceof ScalarNode sc && sc.getTag().equals(Tag.INT)) {
            try {
                return OptionalLong.of(Long.parseLong(sc.getValue().replace("_", "")));
            } catch (NumberFormatException e) {
                // falls through to the problem below: hex, octal or too big
            }
        }
        problem(what + " must be a whole number, found " + describe(node), "write a number such as "
                + (what.equals("version") ? "1" : "500") + ", without quotes", Position.of(node));
        return OptionalLong.empty();
    }

    private OptionalLong positive(Node node, String what, long min) {
        OptionalLong n = integer(node, what);
        if (n.isPresent() && n.getAsLong() < min) {
            problem(what + ": " + n.getAsLong() + " is too small", "use " + min + " or more", Position.of(node));
            return OptionalLong.empty();
        }
        return n;
    }

    private Optional<Double> number(Node node, String what) {
        if (node instanceof ScalarNode sc && (sc.getTag().equals(Tag.INT) || sc.getTag().equals(Tag.FLOAT))) {
            try {
                double d = Double.parseDouble(sc.getValue().replace("_", ""));
                if (Double.isFinite(d)) {
                    return Optional.of(d);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        problem(what + " must be a number, found " + describe(node), "write a number such as 1.5, without quotes",
                Position.of(node));
        return Optional.empty();
    }

    /** Whether a mapping had keys {@link #mapping} reported as unknown or duplicate (so later checks stay quiet). */
    private static boolean hadUnknownKeys(Node node, Map<String, NodeTuple> known) {
        return node instanceof MappingNode m && m.getValue().size() != known.size();
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode sc && sc.getTag().equals(Tag.NULL);
    }

    private static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a map";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "nothing";
        }
        return describe(node);
    }

    private static String describe(Node node) {
        if (node instanceof ScalarNode sc) {
            if (sc.getTag().equals(Tag.STR)) {
                return "the text \"" + sc.getValue() + "\"";
            }
            return "\"" + sc.getValue() + "\"";
        }
        return kind(node);
    }

    private static String keyOf(NodeTuple t) {
        return t.getKeyNode() instanceof ScalarNode sc ? sc.getValue() : "?";
    }

    private void problem(String message, String fix, Position at) {
        problems.add(new PlanProblem(source, at, message, fix));
    }
}
