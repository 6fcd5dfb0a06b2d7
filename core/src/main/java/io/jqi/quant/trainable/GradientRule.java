package io.jqi.quant.trainable;

import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerSpec;
import io.jqi.tensor.Shape;

/**
 * How a built-in trainable quantizer's gradient is formed (docs/quantizer-contract.md#qat-quantizers): whether the
 * input gradient is masked where the rounded value was clipped, and, for LSQ, how the step's gradient is scaled.
 *
 * @param clippedInput whether dx is zero where {@code rint(x / step)} falls outside the grid's integers (CLIPPED STE,
 *                     every LSQ quantizer); otherwise the clip passes the gradient straight through
 * @param lsq          LSQ's choice of the count in its gradient scale g; null for STE, whose step gradient is not
 *                     scaled
 */
public record GradientRule(boolean clippedInput, LsqGradientScale lsq) {

    /** An STE quantizer's rule. */
    public static GradientRule ste(SteInputGradient inputGradient) {
        return new GradientRule(inputGradient == SteInputGradient.CLIPPED, null);
    }

    /** An LSQ quantizer's rule: hard clip, the step's gradient scaled by g. */
    public static GradientRule lsq(LsqGradientScale mode) {
        if (mode == null) {
            throw new IllegalArgumentException("An LSQ rule needs its gradient scale mode (MCT or PAPER)");
        }
        return new GradientRule(true, mode);
    }

    /**
     * LSQ's gradient scale {@code g = 1 / sqrt(Qp * count)} for a quantizer of {@code spec} with {@code channels}
     * parameters on an input of {@code input}, computed in double and rounded to float once; 1 for STE.
     * {@code Qp} is the grid's largest integer. The count is MCT's choice ({@link LsqGradientScale#MCT}: the
     * weights' thresholds or ranges, the activations' channels on axis 1) or the paper's ({@link LsqGradientScale#PAPER}:
     * the weights' elements, one sample's features), at least 1 (docs/quantizer-contract.md#lsq-gradient-scale).
     */
    public float stepScale(QuantizerSpec spec, Shape input, int channels) {
        if (lsq == null) {
            return 1f;
        }
        long count;
        if (spec.target() == QuantizationTarget.WEIGHTS) {
            count = lsq == LsqGradientScale.MCT ? channels : input.numel();
        } else if (lsq == LsqGradientScale.MCT) {
            count = input.rank() >= 2 ? input.dim(1) : 1;
        } else {
            count = input.rank() >= 1 && input.dim(0) > 0 ? input.numel() / input.dim(0) : input.numel();
        }
        return (float) (1.0 / Math.sqrt(spec.integers().qmax() * (double) Math.max(count, 1)));
    }
}
