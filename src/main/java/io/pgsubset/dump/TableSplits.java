package io.pgsubset.dump;

import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.subset.RowSelection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Which tables a parallel dump copies as several block ranges at once (one COPY per range, each on
 * its own worker), so that one big table no longer bounds the dump with --jobs.
 *
 * <p>A table is split only when it pays: with more than one job, on PostgreSQL 14 or later (older
 * servers have no TID Range Scan: a ctid predicate filters a scan of the whole table, so every
 * part would read all of it), when the table is at least {@code partBytes} and more than half a
 * job's fair share of the dump (a dump of many similar tables is balanced already, and splitting
 * costs an extra pass over the appended parts' bytes). Sizes are read in the dump's snapshot with
 * {@code pg_table_size} (heap and TOAST, as the COPY reads them); block numbers with
 * {@code pg_relation_size}, which is the file as it is now, not the planner's stale relpages.
 *
 * <p>Only full selections of ordinary tables are split. A partitioned table is one COPY over all
 * its partitions (ctid is per partition, so a range would cut every partition the same way) and is
 * left whole; an inheritance parent is read with ONLY, so its ranges cover its own heap alone,
 * which is what its file holds. Sample and follow tables are keyed selections copied in key
 * chunks: they stay whole. An empty or one-block table has nothing to split.
 */
final class TableSplits {
    static final int MIN_SERVER_MAJOR = 14;
    private static final int MAX_PARTS = 256;

    private static final String SIZES_SQL = """
            SELECT c.oid, c.relkind = 'r',
                   CASE WHEN c.relkind = 'p'
                        THEN (SELECT pg_catalog.sum(pg_catalog.pg_table_size(p.relid))::bigint
                                FROM pg_catalog.pg_partition_tree(c.oid) p WHERE p.isleaf)
                        ELSE pg_catalog.pg_table_size(c.oid) END,
                   pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::bigint
              FROM pg_catalog.pg_class c
             WHERE c.oid = ANY (?::pg_catalog.oid[])""";

    private TableSplits() {
    }

    /** The block ranges of every table to split; tables not in the map are copied whole. */
    static Map<DataDump.Job, List<BlockRange>> plan(Connection conn, int serverMajor, int jobs, long partBytes,
                                                   List<DataDump.Job> work) {
        if (jobs < 2 || partBytes <= 0 || serverMajor < MIN_SERVER_MAJOR || work.size() == 0) {
            return Map.of();
        }
        Map<Long, RelationSize> sizes = sizes(conn, work);
        double total = 0;
        for (DataDump.Job j : work) {
            RelationSize s = sizes.get(j.table().oid());
            total += j.subset().selection() instanceof RowSelection.AllRows && s != null ? s.bytes() : j.weight();
        }
        // by identity: a job's record hash covers its whole table and selection, per lookup
        Map<DataDump.Job, List<BlockRange>> out = new IdentityHashMap<>();
        for (DataDump.Job j : work) {
            RelationSize s = sizes.get(j.table().oid());
            if (s == null || !s.heap() || j.table().isPartitioned()
                    || !(j.subset().selection() instanceof RowSelection.AllRows)
                    || s.bytes() < partBytes || s.bytes() * 2.0 * jobs <= total || s.blocks() < 2) {
                continue;
            }
            long wanted = Math.max(jobs, (s.bytes() + partBytes - 1) / partBytes);
            int parts = (int) Math.min(Math.min(wanted, MAX_PARTS), s.blocks());
            out.put(j, BlockRange.split(s.blocks(), parts));
        }
        return out;
    }

    private record RelationSize(boolean heap, long bytes, long blocks) {
    }

    private static Map<Long, RelationSize> sizes(Connection conn, List<DataDump.Job> work) {
        String oids = work.stream().map(j -> Long.toString(j.table().oid())).distinct()
                .collect(Collectors.joining(",", "{", "}"));
        Map<Long, RelationSize> out = new HashMap<>();
        try (PreparedStatement ps = conn.prepareStatement(SIZES_SQL)) {
            ps.setString(1, oids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), new RelationSize(rs.getBoolean(2), rs.getLong(3), rs.getLong(4)));
                }
            }
        } catch (SQLException e) {
            throw new PgsubsetException("could not read the sizes of the dumped tables: " + Messages.firstLine(e), e);
        }
        return out;
    }
}
