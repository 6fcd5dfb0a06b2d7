package io.jqi.qat.mixed;

import io.jqi.grid.GridChecks;
import java.util.List;

/**
 * Mixed precision as a QAT config asks for it: budgets on the weights memory, the activation memory, both together and
 * the bit operations (any of them, at least one), and the candidate widths. {@code Qat.init} runs the
 * {@link MixedPrecision} search with them, or, when the weights' training method learns its widths (HMQ), leaves the
 * weights memory budget to a {@link WeightsMemoryPenalty} in training.
 *
 * <p>The search chooses the kernels' widths when a weights memory, total memory or bit-operations budget is given, and
 * the activations' widths when an activation memory or total memory budget is given; what it does not choose keeps the
 * config's widths.
 *
 * @param weightsMemory the limit on the quantized kernels' memory, or null
 * @param bitOps the limit on the bit operations per example, or null
 * @param activationMemory the limit on the quantized activations held at once per example, or null
 * @param totalMemory the limit on both memories together, or null
 * @param candidateBits the widths to choose from for every kernel, distinct, in the order given; empty (or null): each
 *     kernel's candidates as its target platform declares them (8, 4 and 2 bits on the default platform)
 * @param activationCandidateBits the widths to choose from for every quantized activation, distinct; empty (or null):
 *     each activation's candidates as its target platform declares them (8, 4 and 2 bits on the default platform)
 */
public record MixedPrecisionSettings(WeightsMemoryBudget weightsMemory, BitOpsBudget bitOps,
        ActivationMemoryBudget activationMemory, TotalMemoryBudget totalMemory, List<Integer> candidateBits,
        List<Integer> activationCandidateBits) {
    public MixedPrecisionSettings {
        if (weightsMemory == null && bitOps == null && activationMemory == null && totalMemory == null) {
            throw new IllegalArgumentException("give a budget: weights memory, activation memory, total memory or "
                    + "bit operations");
        }
        candidateBits = GridChecks.requireCandidateBits(candidateBits, "mixed-precision candidate widths");
        activationCandidateBits = GridChecks.requireCandidateBits(activationCandidateBits,
                "mixed-precision activation candidate widths");
    }

    /** Budgets on the weights memory and the bit operations, either may be null. */
    public MixedPrecisionSettings(WeightsMemoryBudget weightsMemory, BitOpsBudget bitOps, List<Integer> candidateBits) {
        this(weightsMemory, bitOps, null, null, candidateBits, null);
    }

    /** A weights memory budget alone. */
    public MixedPrecisionSettings(WeightsMemoryBudget weightsMemory, List<Integer> candidateBits) {
        this(weightsMemory, null, candidateBits);
    }

    /** Whether the search chooses the kernels' widths: a weights memory, total memory or bit-operations budget. */
    public boolean choosesWeights() {
        return weightsMemory != null || totalMemory != null || bitOps != null;
    }

    /** Whether the search chooses the activations' widths: an activation memory or total memory budget. */
    public boolean choosesActivations() {
        return activationMemory != null || totalMemory != null;
    }

    /** The kernels' candidates as the search takes them (none: the platform's). */
    public int[] candidates() {
        return candidateBits.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The activations' candidates as the search takes them (none: the platform's). */
    public int[] activationCandidates() {
        return activationCandidateBits.stream().mapToInt(Integer::intValue).toArray();
    }
}
