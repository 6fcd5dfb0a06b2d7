package io.jqi.quant.trainable;

import java.util.Arrays;

/**
 * The post-training parameters a trainable quantizer starts from: a threshold (POWER_OF_TWO, SYMMETRIC) or a range
 * (UNIFORM), 1-D with one value per channel or a single value, and for activations the signedness. LUT weights
 * (LUT_POT, LUT_SYMMETRIC) carry their levels beside the thresholds.
 */
public final class QuantizationParams {
    private final float[] threshold;
    private final float[] rangeMin;
    private final float[] rangeMax;
    private final Boolean signed;
    private final float[] lutValues;
    private final Integer inputRank;

    private QuantizationParams(float[] threshold, float[] rangeMin, float[] rangeMax, Boolean signed,
            float[] lutValues, Integer inputRank) {
        this.threshold = threshold;
        this.rangeMin = rangeMin;
        this.rangeMax = rangeMax;
        this.signed = signed;
        this.lutValues = lutValues;
        this.inputRank = inputRank;
    }

    /** Weight thresholds: one per channel, or one. */
    public static QuantizationParams threshold(float... threshold) {
        return new QuantizationParams(threshold.clone(), null, null, null, null, null);
    }

    /** An activation threshold with its signedness. */
    public static QuantizationParams threshold(float threshold, boolean signed) {
        return new QuantizationParams(new float[] {threshold}, null, null, signed, null, null);
    }

    /** Uniform ranges: one per channel, or one. */
    public static QuantizationParams range(float[] min, float[] max) {
        return new QuantizationParams(null, min.clone(), max.clone(), null, null, null);
    }

    /**
     * LUT weights: the integer levels shared by every channel, one threshold per channel (or one), and the rank of
     * the kernel, which LUT quantizers require per channel ({@code input_rank}).
     */
    public static QuantizationParams lut(float[] levels, float[] threshold, int inputRank) {
        return new QuantizationParams(threshold.clone(), null, null, null, levels.clone(), inputRank);
    }

    /** The kernel rank of LUT weights ({@code input_rank}). */
    public int inputRank() {
        if (inputRank == null) {
            throw new IllegalStateException("These quantization parameters have no input_rank (only LUT weights do)");
        }
        return inputRank;
    }

    /** The LUT levels ({@code lut_values}) of LUT weights. */
    public float[] lutValues() {
        return require(lutValues, "LUT values (only LUT_POT and LUT_SYMMETRIC weights have them)").clone();
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
        return lutValues != null ? "lut_values=" + Arrays.toString(lutValues) + " threshold=" + Arrays.toString(threshold)
                : threshold != null ? "threshold=" + Arrays.toString(threshold) + (signed == null ? "" : " signed=" + signed)
                : "range=[" + Arrays.toString(rangeMin) + ", " + Arrays.toString(rangeMax) + "]";
    }
}
