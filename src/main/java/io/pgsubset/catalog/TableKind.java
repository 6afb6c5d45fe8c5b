package io.pgsubset.catalog;

/** What kind of relation holds the rows. */
public enum TableKind {
    /** An ordinary heap table (also a leaf partition or an inheritance child). */
    TABLE,
    /** A partitioned table: no rows of its own, its partitions hold them. */
    PARTITIONED
}
