package io.pgsubset.plan;

/** How a table's rows reach the dump. See SPEC "Subset semantics". */
public sealed interface Mode permits Mode.Full, Mode.Sample, Mode.Follow, Mode.Skip {
    /** The plan keyword: full, sample, follow or skip. */
    String keyword();

    /** All rows. */
    record Full() implements Mode {
        @Override
        public String keyword() {
            return "full";
        }
    }

    /** Schema only, no rows. */
    record Skip() implements Mode {
        @Override
        public String keyword() {
            return "skip";
        }
    }

    /**
     * Root rows chosen by a rate in an order, optionally filtered and capped; their foreign-key
     * children follow.
     *
     * @param orderBy columns that order the rows (empty: the primary key); ties broken by the key
     * @param where   a SQL condition over the table's columns
     */
    record Sample(SampleRate rate, java.util.List<String> orderBy, java.util.OptionalLong limit,
                  java.util.Optional<String> where) implements Mode {
        public Sample {
            orderBy = java.util.List.copyOf(orderBy);
            if (limit.isPresent() && limit.getAsLong() < 0) {
                throw new IllegalArgumentException("limit must not be negative");
            }
        }

        @Override
        public String keyword() {
            return "sample";
        }
    }

    /**
     * Only the rows the closure pulls in.
     *
     * @param via   the foreign keys (of this table) that drive it downward; empty means all of
     *              them that reference a restricted (sample or follow) table
     * @param limit a deterministic cap on rows pulled in as children
     */
    record Follow(java.util.List<io.pgsubset.catalog.ForeignKey> via, java.util.OptionalLong limit) implements Mode {
        public Follow {
            via = java.util.List.copyOf(via);
        }

        @Override
        public String keyword() {
            return "follow";
        }
    }
}
