package io.pgsubset.subset;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A random schema with random data and random plans, as SQL and as a plan description: tables with
 * an integer key (plus a UNIQUE column), a composite key, only a UNIQUE column, or no key at all;
 * foreign keys (some nullable, some composite, some NOT VALID with dangling values, some declared only
 * in the plan) that form chains, diamonds, self-references and cycles.
 */
final class RandomCase {
    enum KeyKind { INT, COMPOSITE, UNIQUE_ONLY, NONE }

    record Fk(String name, int child, List<String> childColumns, int parent, List<String> parentColumns,
              boolean nullable, boolean notValid, boolean planOnly) {
    }

    record TableDef(String name, KeyKind kind, List<String> columns, List<List<Integer>> rows) {
        List<String> identity() {
            return switch (kind) {
                case INT -> List.of("id");
                case COMPOSITE -> List.of("a", "b");
                case UNIQUE_ONLY -> List.of("u");
                case NONE -> List.of();
            };
        }
    }

    final long seed;
    final String schema;
    final List<TableDef> tables = new ArrayList<>();
    final List<Fk> fks = new ArrayList<>();

    private RandomCase(long seed, String schema) {
        this.seed = seed;
        this.schema = schema;
    }

    /** The same case without one row (for shrinking a failure), in a schema of its own. */
    RandomCase withoutRow(int table, int row, int attempt) {
        RandomCase c = copy(attempt);
        TableDef t = c.tables.get(table);
        List<List<Integer>> rows = new ArrayList<>(t.rows());
        rows.remove(row);
        c.tables.set(table, new TableDef(t.name(), t.kind(), t.columns(), rows));
        return c;
    }

    /** The same case without one foreign key (its columns stay), in a schema of its own. */
    RandomCase withoutFk(int fk, int attempt) {
        RandomCase c = copy(attempt);
        c.fks.remove(fk);
        return c;
    }

    private RandomCase copy(int attempt) {
        RandomCase c = new RandomCase(seed, schema.replaceAll("_s\\d+$", "") + "_s" + attempt);
        c.tables.addAll(tables);
        c.fks.addAll(fks);
        return c;
    }

    RandomCase(long seed) {
        this.seed = seed;
        this.schema = "rc" + Long.toUnsignedString(seed, 36);
        Random r = new Random(seed);
        int n = 2 + r.nextInt(5);
        List<KeyKind> kinds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(10);
            kinds.add(k < 5 ? KeyKind.INT : k < 7 ? KeyKind.COMPOSITE : k < 8 ? KeyKind.UNIQUE_ONLY : KeyKind.NONE);
        }
        // Foreign keys: each table references 0-2 keyed tables (itself included: self-references, cycles).
        List<List<String>> extraColumns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            extraColumns.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            int count = r.nextInt(3);
            for (int f = 0; f < count; f++) {
                int p = r.nextInt(n);
                if (kinds.get(p) == KeyKind.NONE) {
                    continue;
                }
                List<String> target = switch (kinds.get(p)) {
                    case INT -> r.nextBoolean() ? List.of("id") : List.of("u");
                    case COMPOSITE -> List.of("a", "b");
                    case UNIQUE_ONLY -> List.of("u");
                    case NONE -> throw new IllegalStateException();
                };
                String name = "fk_t" + i + "_" + f;
                List<String> cols = new ArrayList<>();
                for (String t : target) {
                    cols.add("f" + f + "_" + t);
                }
                extraColumns.get(i).addAll(cols);
                boolean nullable = r.nextInt(3) > 0;
                boolean planOnly = r.nextInt(8) == 0;
                boolean notValid = !planOnly && r.nextInt(8) == 0;
                fks.add(new Fk(name, i, cols, p, target, nullable, notValid, planOnly));
            }
        }
        // Keys first, so every foreign key value can be drawn from its parent's keys.
        List<List<List<Integer>>> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int rows = r.nextInt(9);
            List<List<Integer>> ks = new ArrayList<>();
            Set<List<Integer>> seen = new LinkedHashSet<>();
            for (int j = 0; j < rows; j++) {
                List<Integer> k = switch (kinds.get(i)) {
                    case INT -> {
                        int id = 1 + r.nextInt(30);
                        yield List.of(id, 100 + (id * 7) % 31);
                    }
                    case COMPOSITE -> List.of(1 + r.nextInt(4), 1 + r.nextInt(4));
                    case UNIQUE_ONLY -> List.of(1 + r.nextInt(30));
                    case NONE -> List.of();
                };
                if (kinds.get(i) == KeyKind.NONE || seen.add(k)) {
                    ks.add(k);
                }
            }
            keys.add(ks);
        }
        // A table with a NOT NULL key to an empty table must be empty too (to a fixed point).
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Fk fk : fks) {
                if (!fk.nullable() && !fk.notValid() && !fk.planOnly() && keys.get(fk.parent()).isEmpty()
                        && !keys.get(fk.child()).isEmpty()) {
                    keys.set(fk.child(), new ArrayList<>());
                    changed = true;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            KeyKind kind = kinds.get(i);
            List<String> columns = new ArrayList<>(switch (kind) {
                case INT -> List.of("id", "u");
                case COMPOSITE -> List.of("a", "b");
                case UNIQUE_ONLY -> List.of("u");
                case NONE -> List.<String>of();
            });
            columns.add("w");
            columns.addAll(extraColumns.get(i));
            List<List<Integer>> rows = new ArrayList<>();
            for (List<Integer> key : keys.get(i)) {
                List<Integer> row = new ArrayList<>(key);
                row.add(r.nextInt(10));
                for (Fk fk : fks) {
                    if (fk.child() != i) {
                        continue;
                    }
                    row.addAll(fkValue(r, fk, kinds.get(fk.parent()), keys.get(fk.parent())));
                }
                rows.add(row);
            }
            tables.add(new TableDef("t" + i, kind, columns, rows));
        }
    }

    private static List<Integer> fkValue(Random r, Fk fk, KeyKind parentKind, List<List<Integer>> parentKeys) {
        int width = fk.childColumns().size();
        List<Integer> none = new ArrayList<>();
        for (int c = 0; c < width; c++) {
            none.add(null);
        }
        boolean mayDangle = fk.notValid() || fk.planOnly();
        if (mayDangle && r.nextInt(6) == 0) {
            List<Integer> v = new ArrayList<>();
            for (int c = 0; c < width; c++) {
                v.add(900 + r.nextInt(3));
            }
            return v;
        }
        if (parentKeys.isEmpty() || (fk.nullable() && r.nextInt(4) == 0)) {
            if (fk.nullable()) {
                return none;
            }
            List<Integer> v = new ArrayList<>();
            for (int c = 0; c < width; c++) {
                v.add(900 + r.nextInt(3)); // a NOT VALID or plan-only key may dangle
            }
            return v;
        }
        List<Integer> key = parentKeys.get(r.nextInt(parentKeys.size()));
        List<Integer> v = new ArrayList<>();
        for (String pc : fk.parentColumns()) {
            v.add(switch (pc) {
                case "id", "a" -> key.get(0);
                case "u" -> parentKind == KeyKind.INT ? key.get(1) : key.get(0);
                case "b" -> key.get(1);
                default -> throw new IllegalStateException(pc);
            });
        }
        if (width > 1 && fk.nullable() && r.nextInt(8) == 0) {
            v.set(r.nextInt(width), null); // MATCH SIMPLE: references nothing
        }
        return v;
    }

    /** The whole case as SQL: schema, tables, rows, then the foreign keys. */
    String sql() {
        StringBuilder sb = new StringBuilder();
        sb.append("CREATE SCHEMA ").append(schema).append(";\n");
        for (int i = 0; i < tables.size(); i++) {
            TableDef t = tables.get(i);
            List<String> defs = new ArrayList<>();
            for (String c : t.columns()) {
                boolean notNull = !c.startsWith("f") || fks.stream().anyMatch(fk -> fk.child() == tables.indexOf(t)
                        && fk.childColumns().contains(c) && !fk.nullable());
                notNull &= !c.equals("w");
                defs.add(c + " int" + (notNull ? " NOT NULL" : ""));
            }
            switch (t.kind()) {
                case INT -> {
                    defs.add("PRIMARY KEY (id)");
                    defs.add("UNIQUE (u)");
                }
                case COMPOSITE -> defs.add("PRIMARY KEY (a, b)");
                case UNIQUE_ONLY -> defs.add("UNIQUE (u)");
                case NONE -> {
                }
            }
            sb.append("CREATE TABLE ").append(schema).append('.').append(t.name()).append(" (")
                    .append(String.join(", ", defs)).append(");\n");
            if (!t.rows().isEmpty()) {
                sb.append("INSERT INTO ").append(schema).append('.').append(t.name()).append(" VALUES ");
                List<String> values = new ArrayList<>();
                for (List<Integer> row : t.rows()) {
                    values.add("(" + String.join(", ", row.stream().map(v -> v == null ? "NULL" : v.toString())
                            .toList()) + ")");
                }
                sb.append(String.join(", ", values)).append(";\n");
            }
        }
        for (Fk fk : fks) {
            if (fk.planOnly()) {
                continue;
            }
            sb.append("ALTER TABLE ").append(schema).append('.').append(tables.get(fk.child()).name())
                    .append(" ADD CONSTRAINT ").append(fk.name()).append(" FOREIGN KEY (")
                    .append(String.join(", ", fk.childColumns())).append(") REFERENCES ").append(schema).append('.')
                    .append(tables.get(fk.parent()).name()).append(" (").append(String.join(", ", fk.parentColumns()))
                    .append(")").append(fk.notValid() ? " NOT VALID" : "").append(";\n");
        }
        return sb.toString();
    }
}
