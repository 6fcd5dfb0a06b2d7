package io.jqi.quant;

/**
 * A fake-quantization function with fixed parameters, per tensor ({@link #channels()} == 1) or per channel. Grids
 * are the single place where jqi's quantization arithmetic lives on the CPU; the CUDA kernels mirror these
 * per-element formulas bit for bit.
 */
public interface Grid {
    /** How many channels the parameters describe. */
    int channels();

    /**
     * Writes the fake-quantized {@code in} to {@code out} (which may be {@code in}). {@code layout.channels()} must
     * equal {@link #channels()}.
     */
    void apply(float[] in, float[] out, ChannelLayout layout);

    /**
     * The symmetric (or power-of-two) grid of threshold {@code T} per channel: step {@code T / 2^(n - s)},
     * integers {@code [-2^(n-1), 2^(n-1) - 1]} when signed and {@code [0, 2^n - 1]} when not.
     */
    static Grid symmetric(float[] thresholds, int bits, boolean signed, RoundingMode rounding) {
        float levels = (float) (1L << (signed ? bits - 1 : bits));
        float[] steps = new float[thresholds.length];
        for (int c = 0; c < thresholds.length; c++) {
            steps[c] = thresholds[c] / levels;
            QuantizerChecks.requireUsableStep(steps[c], "threshold", thresholds[c], bits);
        }
        if (rounding == RoundingMode.TF_NUDGE_HALF_UP) {
            float[] min = new float[thresholds.length];
            float[] max = new float[thresholds.length];
            for (int c = 0; c < thresholds.length; c++) {
                min[c] = signed ? -thresholds[c] : 0f;
                max[c] = thresholds[c] - steps[c];
            }
            return TfNudgedGrid.of(min, max, bits);
        }
        float qmin = signed ? -levels : 0f;
        float qmax = levels - 1f;
        return new AffineGrid(steps, new float[thresholds.length], qmin, qmax);
    }

    /**
     * The uniform grid on {@code [min, max]} per channel, after the range adjustment {@link UniformRange#adjust}
     * that puts zero on the grid.
     */
    static Grid uniform(float[] min, float[] max, int bits, RoundingMode rounding) {
        float[][] adjusted = UniformRange.adjustAll(min, max, bits);
        if (rounding == RoundingMode.TF_NUDGE_HALF_UP) {
            return TfNudgedGrid.of(adjusted[0], adjusted[1], bits);
        }
        return AffineGrid.uniformAdjusted(adjusted[0], adjusted[1], bits);
    }
}
