package io.pgsubset.sizes;

import io.pgsubset.error.Messages;
import io.pgsubset.catalog.QualifiedName;
import io.pgsubset.catalog.TableSize;
import io.pgsubset.error.PgsubsetException;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The administrator's size query, done right: one statement over the catalog that sizes every
 * table and walks partition trees, so partitioned tables count their partitions.
 */
public final class SizesQuery {
    private static final String SQL = """
            WITH RECURSIVE tree AS (
                SELECT c.oid, c.oid AS root, NULL::oid AS parent
                  FROM pg_catalog.pg_class c
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
                   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
                   AND (?::text[] IS NULL OR n.nspname = ANY (?::text[]))
                UNION ALL
                SELECT i.inhrelid, t.root, i.inhparent
                  FROM tree t
                  JOIN pg_catalog.pg_inherits i ON i.inhparent = t.oid
                  JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid AND c.relispartition
            )
            SELECT t.oid, t.root, t.parent, n.nspname, c.relname, c.relkind = 'p' AS partitioned,
                   pg_catalog.pg_total_relation_size(c.oid) AS total_bytes,
                   pg_catalog.pg_relation_size(c.oid) AS heap_bytes,
                   pg_catalog.pg_indexes_size(c.oid) AS index_bytes,
                   CASE WHEN c.reltoastrelid <> 0
                        THEN pg_catalog.pg_total_relation_size(c.reltoastrelid) ELSE 0 END AS toast_bytes,
                   CASE WHEN c.reltuples < 0 OR c.relkind = 'p' THEN NULL ELSE c.reltuples::int8 END AS est_rows
              FROM tree t
              JOIN pg_catalog.pg_class c ON c.oid = t.oid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace""";

    private SizesQuery() {
    }

    public static SizesReport run(Connection conn, SizesRequest request) {
        Map<Long, Node> nodes = new LinkedHashMap<>();
        try (PreparedStatement st = conn.prepareStatement(SQL)) {
            Array schemas = request.schemas().isEmpty() ? null
                    : conn.createArrayOf("text", request.schemas().toArray());
            st.setArray(1, schemas);
            st.setArray(2, schemas);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Node node = new Node();
                    node.name = new QualifiedName(rs.getString("nspname"), rs.getString("relname"));
                    node.partitioned = rs.getBoolean("partitioned");
                    node.own = new TableSize(rs.getLong("total_bytes"), rs.getLong("heap_bytes"),
                            rs.getLong("index_bytes"), rs.getLong("toast_bytes"));
                    long est = rs.getLong("est_rows");
                    node.ownRows = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(est);
                    long parent = rs.getLong("parent");
                    node.parent = rs.wasNull() ? null : parent;
                    nodes.put(rs.getLong("oid"), node);
                }
            }
        } catch (SQLException e) {
            throw new PgsubsetException("could not read table sizes: " + Messages.firstLine(e), e);
        }
        return report(nodes, request);
    }

    private static SizesReport report(Map<Long, Node> nodes, SizesRequest request) {
        Map<Long, List<Long>> children = new HashMap<>();
        List<Long> roots = new ArrayList<>();
        nodes.forEach((oid, node) -> {
            if (node.parent == null) {
                roots.add(oid);
            } else {
                children.computeIfAbsent(node.parent, k -> new ArrayList<>()).add(oid);
            }
        });
        List<SizeRow> rows = roots.stream()
                .map(oid -> row(oid, nodes, children))
                .filter(r -> r.size().total() >= request.minBytes())
                .sorted(LARGEST_FIRST)
                .limit(request.limit().orElse(Integer.MAX_VALUE))
                .toList();
        return SizesReport.of(rows);
    }

    private static final Comparator<SizeRow> LARGEST_FIRST = Comparator
            .comparingLong((SizeRow r) -> r.size().total()).reversed()
            .thenComparing(SizeRow::table);

    private static SizeRow row(long oid, Map<Long, Node> nodes, Map<Long, List<Long>> children) {
        Node node = nodes.get(oid);
        List<SizeRow> parts = children.getOrDefault(oid, List.of()).stream()
                .map(child -> row(child, nodes, children))
                .sorted(LARGEST_FIRST)
                .toList();
        TableSize size = node.own;
        long rows = node.ownRows.orElse(0);
        boolean known = node.ownRows.isPresent();
        for (SizeRow p : parts) {
            size = size.plus(p.size());
            if (p.estimatedRows().isPresent()) {
                rows += p.estimatedRows().getAsLong();
                known = true;
            }
        }
        return new SizeRow(node.name, node.partitioned, size, known ? OptionalLong.of(rows) : OptionalLong.empty(),
                parts);
    }

    private static final class Node {
        QualifiedName name;
        boolean partitioned;
        TableSize own;
        OptionalLong ownRows;
        Long parent;
    }
}
