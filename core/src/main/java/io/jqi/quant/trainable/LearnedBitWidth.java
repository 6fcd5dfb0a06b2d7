package io.jqi.quant.trainable;

import io.jqi.tensor.Tensor;
import java.util.Map;

/**
 * A trainable weight quantizer that learns its own bit width, as HMQ does
 * (docs/custom-quantizers.md#a-quantizer-that-learns-its-bit-width). Its width during training is a distribution over
 * candidates: the expected width is differentiable, so a training loss can hold the model's weight memory to a budget
 * ({@code io.jqi.qat.mixed.WeightsMemoryPenalty}); the preferences and {@link #chooseBits} let the widths be made to
 * fit a budget exactly before finalizing ({@code io.jqi.qat.mixed.LearnedWidths}). The width it finalizes to is the
 * inferable quantizer's {@code spec().bits()}.
 */
public interface LearnedBitWidth {
    /** The expected bit width under the current distribution: a one-element tensor with a graph to its parameters. */
    Tensor expectedBits();

    /** Every width it can finalize to, with the log-probability training has given it (at most 0). */
    Map<Integer, Double> widthLogProbabilities();

    /** From now on, and once finalized, use the best candidate of {@code bits} bits, one of the widths offered. */
    void chooseBits(int bits);
}
