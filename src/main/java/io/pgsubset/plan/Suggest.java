package io.pgsubset.plan;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** Did-you-mean: the closest candidate within a small edit distance. */
final class Suggest {
    private Suggest() {
    }

    static Optional<String> closest(String wrong, Collection<String> candidates) {
        int allowed = Math.max(2, wrong.length() / 3);
        return candidates.stream()
                .filter(c -> !c.equals(wrong))
                .map(c -> new Scored(c, distance(wrong.toLowerCase(java.util.Locale.ROOT),
                        c.toLowerCase(java.util.Locale.ROOT))))
                .filter(s -> s.distance <= allowed)
                .min(Comparator.comparingInt(Scored::distance).thenComparing(Scored::candidate))
                .map(Scored::candidate);
    }

    /** {@code did you mean "x"?} or the fallback fix. */
    static String didYouMean(String wrong, Collection<String> candidates, String fallback) {
        return closest(wrong, candidates).map(c -> c.contains("\"") ? "did you mean '" + c.replace("'", "''") + "'?"
                : "did you mean \"" + c + "\"?").orElse(fallback);
    }

    private record Scored(String candidate, int distance) {
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
