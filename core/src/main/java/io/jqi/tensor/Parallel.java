package io.jqi.tensor;

import java.util.stream.IntStream;

/**
 * Splits index ranges over the common fork-join pool. Chunks never share an output element, so results do not
 * depend on scheduling: jqi is bit-identical run to run.
 */
final class Parallel {
    /** Below this much work (elements times per-element cost) a single thread is faster. */
    private static final long SERIAL_WORK = 1 << 15;

    interface RangeBody {
        void run(int from, int to);
    }

    private Parallel() {
    }

    /** Runs {@code body} over [0, n) in disjoint chunks; {@code costPerItem} scales the serial threshold. */
    static void forRange(int n, long costPerItem, RangeBody body) {
        int threads = Runtime.getRuntime().availableProcessors();
        if (threads == 1 || (long) n * costPerItem < SERIAL_WORK || n < 2) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(n, threads * 4);
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            body.run(from, to);
        });
    }
}
