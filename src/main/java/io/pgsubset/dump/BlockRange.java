package io.pgsubset.dump;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Heap blocks [from, to) of a table, as a ctid predicate that PostgreSQL 14+ runs as a TID Range
 * Scan: reading one range costs only its blocks. The last range of a table is open-ended, so rows
 * in blocks beyond the size measured when the ranges were planned are still read.
 */
record BlockRange(long from, OptionalLong to) {
    BlockRange {
        if (from < 0 || to.isPresent() && to.getAsLong() <= from) {
            throw new IllegalArgumentException("empty block range [" + from + ", " + to + ")");
        }
    }

    /** {@code parts} ranges of about equal size covering blocks 0 to {@code blocks} and beyond. */
    static List<BlockRange> split(long blocks, int parts) {
        if (parts < 2 || blocks < parts) {
            throw new IllegalArgumentException("cannot split " + blocks + " blocks into " + parts + " ranges");
        }
        List<BlockRange> out = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            long from = blocks * i / parts;
            out.add(new BlockRange(from, i == parts - 1 ? OptionalLong.empty()
                    : OptionalLong.of(blocks * (i + 1) / parts)));
        }
        return out;
    }

    /** The condition on {@code alias.ctid}; block numbers are literals (COPY takes no parameters). */
    String predicate(String alias) {
        String lower = from == 0 ? "" : alias + ".ctid >= '(" + from + ",0)'::pg_catalog.tid";
        String upper = to.isEmpty() ? "" : alias + ".ctid < '(" + to.getAsLong() + ",0)'::pg_catalog.tid";
        if (lower.isEmpty() || upper.isEmpty()) {
            return lower.isEmpty() && upper.isEmpty() ? "true" : lower + upper;
        }
        return lower + " AND " + upper;
    }
}
