package io.pgsubset.plan;

/** What happens to tables the plan does not list. */
public enum Unlisted {
    /** Tables that reference a sampled or following table (directly or through others) follow; the rest are full. */
    AUTO,
    FULL,
    FOLLOW,
    SKIP,
    /** Every unlisted table is a plan problem. */
    ERROR;

    public String keyword() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
