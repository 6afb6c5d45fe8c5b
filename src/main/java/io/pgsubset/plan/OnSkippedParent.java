package io.pgsubset.plan;

/** What to do when an included row references a row of a skipped table. */
public enum OnSkippedParent {
    /** Refuse, naming table, column and count. */
    ERROR,
    /** Write NULL in the referencing (nullable) columns. */
    NULL
}
