package io.jqi.ptq;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * An index range cut into fixed chunks of {@link #SIZE}, run on the common fork-join pool when the work is large.
 * Chunks depend only on the range's length, never on the thread count, so a result combined from per-chunk parts in
 * chunk order is the same on every machine.
 */
final class Chunks {
    /** Indices per chunk. */
    static final int SIZE = 1 << 14;
    /** Below this much work a pass runs on the calling thread. */
    private static final long PARALLEL_WORK = 1 << 16;

    private Chunks() {
    }

    /** The number of chunks of a range of {@code length} indices. */
    static int count(int length) {
        return (length + SIZE - 1) / SIZE;
    }

    /** Runs {@code body} for each of {@code count} items, in parallel when {@code work} is large enough. */
    static void forEach(int count, long work, IntConsumer body) {
        IntStream items = IntStream.range(0, count);
        if (work >= PARALLEL_WORK) {
            items = items.parallel();
        }
        items.forEach(body);
    }
}
