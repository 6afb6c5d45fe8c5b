package io.pgsubset.subset;

import io.pgsubset.catalog.Catalog;
import io.pgsubset.catalog.CatalogReader;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.Table;
import io.pgsubset.plan.ResolvedPlan;
import io.pgsubset.sql.Ident;
import io.pgsubset.testing.TestDatabase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/** Runs the engine as the dump does (one REPEATABLE READ READ ONLY transaction) and materializes its rows. */
final class Engine {
    /** The engine's result and, per table, the identities of the rows it selects (see {@link #identity}). */
    record Run(Catalog catalog, Subset subset, Map<QualifiedName, TreeSet<String>> rows) {
        TreeSet<String> rows(String table) {
            return rows.get(Plans.name(table));
        }
    }

    private Engine() {
    }

    static Catalog catalog(TestDatabase db) {
        try (Connection c = db.connect()) {
            return CatalogReader.read(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static Run run(TestDatabase db, Function<Catalog, ResolvedPlan> plan) {
        return run(db, plan, Closure.Options.defaults());
    }

    static Run run(TestDatabase db, String schema, Function<Catalog, ResolvedPlan> plan) {
        try (Connection c = db.connect()) {
            return run(c, List.of(schema), plan, Closure.Options.defaults());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static Run run(TestDatabase db, Function<Catalog, ResolvedPlan> plan, Closure.Options options) {
        try (Connection c = db.connect()) {
            return run(c, plan, options);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static Run run(Connection c, Function<Catalog, ResolvedPlan> plan, Closure.Options options) throws SQLException {
        return run(c, List.of(), plan, options);
    }

    /** Runs on the given schemas only (all when empty), on an open connection. */
    static Run run(Connection c, List<String> schemas, Function<Catalog, ResolvedPlan> plan, Closure.Options options)
            throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        }
        try {
            Catalog catalog = CatalogReader.read(c, schemas);
            Subset subset = Closure.compute(c, catalog, plan.apply(catalog), options);
            Map<QualifiedName, TreeSet<String>> rows = new TreeMap<>();
            for (TableSubset t : subset.tables()) {
                rows.put(t.plan().table(), materialize(c, catalog.require(t.plan().table()), t.selection()));
            }
            return new Run(catalog, subset, rows);
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    /** A row's identity as text: its key columns joined by ',', or its ctid for a table without key. */
    static String identity(Table t, String alias) {
        if (t.identityColumns().isEmpty()) {
            return t.isPartitioned() ? alias + ".tableoid::text || ':' || " + alias + ".ctid::text" : alias + ".ctid::text";
        }
        List<String> parts = t.identityColumns().get().stream().map(col -> alias + "." + Ident.quote(col) + "::text")
                .toList();
        return "concat_ws(','," + String.join(", ", parts) + ")";
    }

    static TreeSet<String> materialize(Connection c, Table t, RowSelection selection) throws SQLException {
        List<String> queries = new ArrayList<>();
        String from = "SELECT " + identity(t, "t") + " FROM " + (t.isPartitioned() ? "" : "ONLY ") + t.name().sql() + " t";
        if (selection instanceof RowSelection.AllRows all) {
            queries.add(from + all.condition().map(cond -> " WHERE " + cond).orElse(""));
        } else if (selection instanceof RowSelection.KeyedRows keyed) {
            for (String p : keyed.predicates("t", 7)) {
                queries.add(from + " WHERE " + p);
            }
        }
        TreeSet<String> out = new TreeSet<>();
        for (String q : queries) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
                while (rs.next()) {
                    if (!out.add(rs.getString(1))) {
                        throw new AssertionError("predicates of " + t.name() + " are not disjoint: " + rs.getString(1));
                    }
                }
            }
        }
        if (selection instanceof RowSelection.KeyedRows keyed && keyed.count() != out.size()) {
            throw new AssertionError(t.name() + ": count() " + keyed.count() + " but predicates select " + out.size());
        }
        return out;
    }
}
