package io.jqi.qat.mixed;

import io.jqi.grid.GridChecks;
import java.util.List;

/**
 * Mixed precision as a QAT config asks for it: a weights memory budget, a bit-operations budget or both, and the
 * candidate widths each quantized kernel may take. {@code Qat.init} runs the {@link MixedPrecision} search with them,
 * or, when the weights' training method learns its widths (HMQ), leaves the weights memory budget to a
 * {@link WeightsMemoryPenalty} in training.
 *
 * @param weightsMemory the limit on the quantized kernels' memory, or null
 * @param bitOps the limit on the bit operations per example, or null
 * @param candidateBits the widths to choose from for every kernel, distinct, in the order given; empty (or null): each
 *     kernel's candidates as its target platform declares them (8, 4 and 2 bits on the default platform)
 */
public record MixedPrecisionSettings(WeightsMemoryBudget weightsMemory, BitOpsBudget bitOps,
        List<Integer> candidateBits) {
    public MixedPrecisionSettings {
        if (weightsMemory == null && bitOps == null) {
            throw new IllegalArgumentException("mixed precision needs a budget: weights memory, bit operations or both");
        }
        candidateBits = List.copyOf(candidateBits == null ? List.of() : candidateBits);
        for (int b : candidateBits) {
            GridChecks.requireBits(b, "A mixed-precision candidate width");
        }
        if (candidateBits.stream().distinct().count() != candidateBits.size()) {
            throw new IllegalArgumentException("mixed-precision candidate widths must differ, got " + candidateBits);
        }
    }

    /**
     * The settings of a config file or DSL block: at most one of {@code weightsMemory} (a fraction of the 8-bit memory)
     * and {@code weightsMemoryBytes}, at most one of {@code bitOps} (a fraction of the 8-bit bit operations) and
     * {@code bitOpsCount}, and at least one budget in all; null for what is not given.
     */
    public static MixedPrecisionSettings of(Double weightsMemory, Long weightsMemoryBytes, Double bitOps,
            Long bitOpsCount, List<Integer> candidateBits) {
        if (weightsMemory != null && weightsMemoryBytes != null) {
            throw new IllegalArgumentException("give the weights memory once: as a fraction of the 8-bit memory or in "
                    + "bytes");
        }
        if (bitOps != null && bitOpsCount != null) {
            throw new IllegalArgumentException("give the bit operations once: as a fraction of the 8-bit bit "
                    + "operations or as a count");
        }
        if (weightsMemory == null && weightsMemoryBytes == null && bitOps == null && bitOpsCount == null) {
            throw new IllegalArgumentException("give a budget: weights memory, bit operations or both");
        }
        WeightsMemoryBudget memory = weightsMemory != null ? WeightsMemoryBudget.relativeTo8Bits(weightsMemory)
                : weightsMemoryBytes != null ? WeightsMemoryBudget.bytes(weightsMemoryBytes) : null;
        BitOpsBudget operations = bitOps != null ? BitOpsBudget.relativeTo8Bits(bitOps)
                : bitOpsCount != null ? BitOpsBudget.count(bitOpsCount) : null;
        return new MixedPrecisionSettings(memory, operations, candidateBits);
    }

    /** A weights memory budget alone. */
    public MixedPrecisionSettings(WeightsMemoryBudget weightsMemory, List<Integer> candidateBits) {
        this(weightsMemory, null, candidateBits);
    }

    /** The candidates as the search takes them (none: the platform's). */
    public int[] candidates() {
        return candidateBits.stream().mapToInt(Integer::intValue).toArray();
    }
}
