package io.jqi.grid;

import java.util.Arrays;

/**
 * Non-uniform ("look-up table") quantization: {@code v = clip(x / (T + eps) * M, lo, hi)} with
 * {@code M = 2^(b - s)}, then the nearest LUT level (ties to the first in the given order), scaled back by
 * {@code T} (without eps). No rounding happens before the nearest-level search.
 */
public final class LutGrid implements Grid {
    private final float[] levels;
    private final float[] thresholds;
    private final float multiplier;
    private final float lo;
    private final float hi;
    private final float eps;

    /** {@code levels} are integer-valued; {@code bitwidth} is the LUT values' bit width b. */
    public LutGrid(float[] levels, float[] thresholds, int bitwidth, boolean signed, float eps) {
        this.levels = levels.clone();
        this.thresholds = thresholds.clone();
        IntegerRange range = IntegerRange.of(bitwidth, signed);
        this.multiplier = range.levels();
        this.lo = range.qmin();
        this.hi = range.qmax();
        this.eps = eps;
    }

    /** One element against one channel's threshold. NaN stays NaN; infinities go to the outermost levels. */
    public static float fakeQuant(float x, float[] levels, float threshold, float multiplier, float lo, float hi,
            float eps) {
        if (Float.isNaN(x)) {
            return Float.NaN;
        }
        int best = nearestLevel(x, levels, threshold, multiplier, lo, hi, eps);
        return levels[best] / multiplier * threshold;
    }

    /** {@code clip(x / (threshold + eps) * multiplier, lo, hi)}: the value whose nearest level is picked. */
    public static float scaled(float x, float threshold, float multiplier, float lo, float hi, float eps) {
        return Math.min(Math.max(x / (threshold + eps) * multiplier, lo), hi);
    }

    /**
     * The index of the level {@link #fakeQuant} picks for a non-NaN {@code x}: the first nearest to the scaled,
     * clipped value. Exporters use it to store the level itself.
     */
    public static int nearestLevel(float x, float[] levels, float threshold, float multiplier, float lo, float hi,
            float eps) {
        float v = scaled(x, threshold, multiplier, lo, hi, eps);
        int best = 0;
        float bestDistance = Math.abs(v - levels[0]);
        for (int j = 1; j < levels.length; j++) {
            float d = Math.abs(v - levels[j]);
            if (d < bestDistance) {
                best = j;
                bestDistance = d;
            }
        }
        return best;
    }

    @Override
    public int channels() {
        return thresholds.length;
    }

    public float[] levels() {
        return levels.clone();
    }

    public float[] thresholds() {
        return thresholds.clone();
    }

    /** The values channel {@code channel} outputs, {@code level / M * T}, in ascending order. */
    @Override
    public float[] values(int channel) {
        float[] out = new float[levels.length];
        for (int j = 0; j < levels.length; j++) {
            out[j] = levels[j] / multiplier * thresholds[channel];
        }
        Arrays.sort(out);
        return out;
    }

    /** {@code M = 2^(b - s)}. */
    public float multiplier() {
        return multiplier;
    }

    /** Lower clip of the scaled value: {@code -2^(b-1)} signed, 0 unsigned. */
    public float lo() {
        return lo;
    }

    /** Upper clip of the scaled value: {@code 2^(b-1) - 1} signed, {@code 2^b - 1} unsigned. */
    public float hi() {
        return hi;
    }

    public float eps() {
        return eps;
    }

    @Override
    public void apply(float[] in, float[] out, ChannelLayout layout) {
        layout.forEachRun((c, from, to) -> {
            float t = thresholds[c];
            for (int i = from; i < to; i++) {
                out[i] = fakeQuant(in[i], levels, t, multiplier, lo, hi, eps);
            }
        });
    }
}
