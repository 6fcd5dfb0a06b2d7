package io.jqi.quant.trainable;

import java.util.Arrays;

/**
 * The post-training parameters a trainable quantizer starts from: a threshold (POWER_OF_TWO, SYMMETRIC) or a range
 * (UNIFORM), 1-D with one value per channel or a single value, and for activations the signedness.
 */
public final class QuantizationParams {
    private final float[] threshold;
    private final float[] rangeMin;
    private final float[] rangeMax;
    private final Boolean signed;

    private QuantizationParams(float[] threshold, float[] rangeMin, float[] rangeMax, Boolean signed) {
        this.threshold = threshold;
        this.rangeMin = rangeMin;
        this.rangeMax = rangeMax;
        this.signed = signed;
    }

    /** Weight thresholds: one per channel, or one. */
    public static QuantizationParams threshold(float... threshold) {
        return new QuantizationParams(threshold.clone(), null, null, null);
    }

    /** An activation threshold with its signedness. */
    public static QuantizationParams threshold(float threshold, boolean signed) {
        return new QuantizationParams(new float[] {threshold}, null, null, signed);
    }

    /** Uniform ranges: one per channel, or one. */
    public static QuantizationParams range(float[] min, float[] max) {
        return new QuantizationParams(null, min.clone(), max.clone(), null);
    }

    public float[] threshold() {
        return require(threshold, "a threshold (UNIFORM quantizers take range_min/range_max instead)").clone();
    }

    public float[] rangeMin() {
        return require(rangeMin, "range_min (POWER_OF_TWO and SYMMETRIC quantizers take a threshold instead)").clone();
    }

    public float[] rangeMax() {
        return require(rangeMax, "range_max (POWER_OF_TWO and SYMMETRIC quantizers take a threshold instead)").clone();
    }

    /** Activation signedness ({@code is_signed}). */
    public boolean signed() {
        if (signed == null) {
            throw new IllegalStateException("These quantization parameters carry no signedness (is_signed); "
                    + "activation thresholds need one: QuantizationParams.threshold(t, signed)");
        }
        return signed;
    }

    private static float[] require(float[] values, String what) {
        if (values == null) {
            throw new IllegalStateException("These quantization parameters have no " + what);
        }
        return values;
    }

    @Override
    public String toString() {
        return threshold != null ? "threshold=" + Arrays.toString(threshold) + (signed == null ? "" : " signed=" + signed)
                : "range=[" + Arrays.toString(rangeMin) + ", " + Arrays.toString(rangeMax) + "]";
    }
}
