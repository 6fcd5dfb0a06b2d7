package io.jqi.cuda;

import io.jqi.quant.trainable.SteInputGradient;

/**
 * How a trainable quantizer's backward treats its input and step, as its CPU class does.
 *
 * @param clipped whether dx is masked where the rounded value was clipped (CLIPPED STE, every LSQ quantizer)
 * @param scaled  whether the step's gradient is multiplied by {@code scale} (LSQ's {@code gradScale(g)})
 * @param scale   LSQ's g ({@link LsqGradScales}); 1 when not scaled
 */
public record GradientRule(boolean clipped, boolean scaled, float scale) {

    public GradientRule {
        if (!(scale > 0f) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("the gradient scale must be positive and finite, got " + scale);
        }
        if (!scaled && scale != 1f) {
            throw new IllegalArgumentException("an unscaled rule has scale 1, got " + scale);
        }
    }

    /** An STE quantizer (STEWeightQATQuantizer, STE activation and uniform quantizers). */
    public static GradientRule ste(SteInputGradient inputGradient) {
        return new GradientRule(inputGradient == SteInputGradient.CLIPPED, false, 1f);
    }

    /** An LSQ quantizer with gradient scale {@code g}: hard clip, step gradient times g. */
    public static GradientRule lsq(float g) {
        return new GradientRule(true, true, g);
    }
}
