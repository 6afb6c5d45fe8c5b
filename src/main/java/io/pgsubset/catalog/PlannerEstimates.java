package io.pgsubset.catalog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Row counts of tables that were never analyzed (reltuples -1: a fresh restore, autovacuum not yet
 * round), as the planner guesses them: from the table's current size in pages and the width of
 * its columns' types, what {@code EXPLAIN} shows. Counting would read the whole table.
 */
public final class PlannerEstimates {
    /** The top plan node's row estimate in EXPLAIN's JSON output (the first "Plan Rows"). */
    private static final Pattern PLAN_ROWS = Pattern.compile("\"Plan Rows\":\\s*([0-9.eE+]+)");

    private PlannerEstimates() {
    }

    /** The planner's rows for each table: a partitioned one with its partitions, any other one alone. */
    public static Map<QualifiedName, Double> of(Connection conn, Catalog catalog, Collection<QualifiedName> tables)
            throws SQLException {
        Map<QualifiedName, Double> out = new LinkedHashMap<>();
        try (Statement st = conn.createStatement()) {
            for (QualifiedName name : tables) {
                String from = catalog.require(name).isPartitioned() ? name.sql() : "ONLY " + name.sql();
                try (ResultSet rs = st.executeQuery("EXPLAIN (FORMAT JSON) SELECT FROM " + from)) {
                    StringBuilder json = new StringBuilder();
                    while (rs.next()) {
                        json.append(rs.getString(1));
                    }
                    Matcher m = PLAN_ROWS.matcher(json);
                    if (m.find()) {
                        out.put(name, Double.parseDouble(m.group(1)));
                    }
                }
            }
        }
        return out;
    }
}
