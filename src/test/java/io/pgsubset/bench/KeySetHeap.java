package io.pgsubset.bench;

import io.pgsubset.subset.LongKeySet;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;

/**
 * Benchmark program (run by scripts/bench.sh, not a test): the heap the subset engine's key set
 * ({@link LongKeySet}) of N integer row keys takes, for dense, strided, random and ctid keys. Heap is measured as used heap after full GCs, with
 * the set alive, minus the same before building it. Prints one JSON object on stdout.
 */
public final class KeySetHeap {
    private static final long RANDOM_SEED = 20_240_501L;

    private KeySetHeap() {
    }

    /** How the i-th key is made. */
    private record Distribution(String name, String description, LongUnaryOperator key) {
    }

    public static void main(String[] args) {
        long keys = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        SplittableRandom random = new SplittableRandom(RANDOM_SEED);
        List<Distribution> distributions = List.of(
                new Distribution("dense", "ids 1..N (a whole table of a serial key)", i -> i + 1),
                new Distribution("every_7th", "every 7th id (a sample)", i -> 7 * (i + 1)),
                new Distribution("random_10pct", "one random id in every 10 (a 10% sample with gaps)",
                        i -> 10 * i + random.nextLong(10)),
                new Distribution("ctid", "ctids packed as block * 65536 + offset, 26 rows per 8 kB block (a table without a key)",
                        i -> ((i / 26) << 16) | (i % 26 + 1)),
                new Distribution("random_int", "one random id in every 2^31/N (keys spread over the int range)",
                        i -> intStride(keys) * i + random.nextLong(intStride(keys))));
        List<String> results = new ArrayList<>();
        for (Distribution d : distributions) {
            results.add(measure(d, keys));
        }
        System.out.println("{\"keys\": " + keys + ", \"implementation\": \"" + implementation() + "\", \"max_heap_bytes\": "
                + Runtime.getRuntime().maxMemory() + ", \"cases\": [" + String.join(", ", results) + "]}");
    }

    private static long intStride(long keys) {
        return Math.max(1, (1L << 31) / keys);
    }

    private static String implementation() {
        return "io.pgsubset.subset.LongKeySet (the subset engine's key set for integer keys and ctids)";
    }

    private static String measure(Distribution d, long keys) {
        long before = usedHeapAfterGc();
        long start = System.nanoTime();
        LongKeySet set = new LongKeySet();
        for (long i = 0; i < keys; i++) {
            set.add(d.key().applyAsLong(i));
        }
        // No optimize(): the closure does not call it either, so this is the heap it really uses.
        long buildMillis = (System.nanoTime() - start) / 1_000_000;
        long after = usedHeapAfterGc();
        long cardinality = set.size();
        long reported = set.estimatedBytes();
        return "{\"distribution\": \"" + d.name() + "\", \"description\": \"" + d.description() + "\", \"cardinality\": "
                + cardinality + ", \"heap_bytes\": " + Math.max(0, after - before) + ", \"reported_size_bytes\": "
                + reported + ", \"build_ms\": " + buildMillis + "}";
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
