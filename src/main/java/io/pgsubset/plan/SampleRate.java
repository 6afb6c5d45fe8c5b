package io.pgsubset.plan;

/** Which share of the ordered rows a sample takes. */
public sealed interface SampleRate permits SampleRate.Every, SampleRate.Percent {
    /** Every Nth row in order: rows N, 2N, 3N... of the ordering ({@code row_number() % N = 0}); none below N rows. */
    record Every(long n) implements SampleRate {
        public Every {
            if (n < 1) {
                throw new IllegalArgumentException("every must be at least 1");
            }
        }
    }

    /** About this percentage of rows, chosen by a hash of the row key with a fixed seed (reruns agree). */
    record Percent(double percent, long seed) implements SampleRate {
        public Percent {
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException("percent must be in (0, 100]");
            }
        }
    }
}
