package io.jqi.qat.mixed;

import io.jqi.grid.GridChecks;
import java.util.List;
import java.util.Objects;

/**
 * Mixed precision as a QAT config asks for it: the weights memory budget and the candidate widths each quantized kernel
 * may take. {@code Qat.init} runs the {@link MixedPrecision} search with them, or, when the weights' training method
 * learns its widths (HMQ), leaves the budget to a {@link WeightsMemoryPenalty} in training.
 *
 * @param budget the limit on the quantized kernels' memory
 * @param candidateBits the widths to choose from for every kernel, distinct, in the order given; empty (or null): each
 *     kernel's candidates as its target platform declares them (8, 4 and 2 bits on the default platform)
 */
public record MixedPrecisionSettings(WeightsMemoryBudget budget, List<Integer> candidateBits) {
    public MixedPrecisionSettings {
        Objects.requireNonNull(budget, "a mixed-precision config needs a weights memory budget");
        candidateBits = List.copyOf(candidateBits == null ? List.of() : candidateBits);
        for (int b : candidateBits) {
            GridChecks.requireBits(b, "A mixed-precision candidate width");
        }
        if (candidateBits.stream().distinct().count() != candidateBits.size()) {
            throw new IllegalArgumentException("mixed-precision candidate widths must differ, got " + candidateBits);
        }
    }

    /** The candidates as the search takes them (none: the platform's). */
    public int[] candidates() {
        return candidateBits.stream().mapToInt(Integer::intValue).toArray();
    }
}
