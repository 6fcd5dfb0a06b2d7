package io.jqi.ptq;

import io.jqi.grid.GridChecks;
import io.jqi.grid.PowerOfTwo;
import io.jqi.quant.QuantizationMethod;

/**
 * Post-training selection of activation quantization parameters from a {@link Histogram} of the activation, and
 * from known output bounds for ops such as Sigmoid (0, 1) or Tanh (-1, 1)
 * (docs/quantizer-contract.md#threshold-selection).
 * Searches score each left bin edge, weighted by its count, on the {@link io.jqi.grid.Grid} the quantizer will use
 * (half-even).
 *
 * <p>Choices where the reference leaves room:
 * <ul>
 *   <li>The no-clipping threshold, which is also where the SYMMETRIC search starts: on a signed grid the expanded
 *       {@code tensorMax} of the histogram's min and max, {@code max(-min, max * 2^(n-1) / (2^(n-1) - 1))} (as for
 *       weights: {@link WeightThresholds#tensorMax}; docs/quantizer-contract.md#example-no-clipping-thresholds); on an
 *       unsigned grid, which that formula does not cover, the reference's histogram value {@code max} without
 *       expansion, so that Sigmoid and Softmax outputs (0, 1) get the POWER_OF_TWO threshold 1, as in the reference
 *       (their top value then saturates one step below 1, which costs far less than the halved resolution of a
 *       threshold of 2). Negative values are ignored on an unsigned grid, which clips them to 0 whatever the threshold.
 *   <li>A power-of-two search result is clamped to {@code PowerOfTwo.roundUp(minThreshold)}, so that it stays a
 *       power of two for any {@code minThreshold} (the same as the reference for its default {@code 2^-16}).
 *   <li>Ranges, searched or not, get the per-tensor uniform post-fix (a positive min or a negative max becomes 0).
 * </ul>
 */
public final class ActivationThresholds {
    private ActivationThresholds() {
    }

    /**
     * The threshold of a POWER_OF_TWO or SYMMETRIC activation quantizer with the given signedness.
     *
     * <ul>
     *   <li>NOCLIPPING: {@link #noClippingThreshold} of the histogram's min and max.
     *   <li>MSE, MAE, LP, POWER_OF_TWO: candidates {@code T0 / 2^i}, i = 0..19, with
     *       {@code T0 = 2 * 2^ceil(log2(max(max|edges|, minThreshold)))}; the lowest-error one wins.
     *   <li>MSE, MAE, LP, SYMMETRIC: the iterative interval search (20 iterations narrowing every 4, 30 candidates
     *       each) from the no-clipping threshold.
     * </ul>
     * The error is {@code sum(counts * |Q(left edge) - left edge|^p) / sum(counts)}, with p = 2 for MSE, 1 for MAE.
     *
     * @param signed whether the grid has negative levels; {@link #isSigned} gives the statistics' answer
     * @param p the exponent of the LP error; ignored by the other error methods
     * @param minThreshold the smallest threshold returned (the reference uses {@code 2^-16})
     * @throws IllegalArgumentException for a method other than POWER_OF_TWO or SYMMETRIC, bits outside 1..16, a
     *     non-positive {@code minThreshold}, or LP with a non-positive {@code p}
     */
    public static float threshold(Histogram h, QuantizationMethod method, ErrorMethod error, int bits,
            boolean signed, double p, float minThreshold) {
        requireHistogram(h);
        PtqChecks.requireThresholdMethod(method);
        PtqChecks.requireErrorMethod(error);
        GridChecks.requireBits(bits, "bits");
        PtqChecks.requireMinThreshold(minThreshold);
        ErrorNorm norm = error == ErrorMethod.NOCLIPPING ? null : ErrorNorm.of(error, p);
        float start = noClipping((float) h.min(), (float) h.max(), bits, signed, minThreshold);
        if (norm == null) {
            return method == QuantizationMethod.POWER_OF_TWO ? PowerOfTwo.roundUp(start) : start;
        }
        Samples samples = Samples.of(h, norm);
        ThresholdSearch.Loss loss = t -> samples.symmetricError(t, bits, signed);
        if (method == QuantizationMethod.POWER_OF_TWO) {
            double[] edges = h.edges();
            float largest = (float) Math.max(Math.abs(edges[0]), Math.abs(edges[edges.length - 1]));
            float first = Math.scalb(PowerOfTwo.roundUp(Math.max(largest, minThreshold)), 1);
            float found = ThresholdSearch.powerOfTwo(new float[] {first}, SearchConstants.POT_HISTOGRAM_CANDIDATES,
                    loss)[0];
            return Math.max(found, PowerOfTwo.roundUp(minThreshold));
        }
        float found = ThresholdSearch.interval(new float[] {start}, SearchConstants.SYMMETRIC_HISTOGRAM_ITERATIONS,
                SearchConstants.SYMMETRIC_HISTOGRAM_DEC_FREQ, loss)[0];
        return Math.max(found, minThreshold);
    }

    /**
     * The range {@code {min, max}} of a UNIFORM activation quantizer, before the quantizer's zero-alignment
     * adjustment. NOCLIPPING: the histogram's min and max. MSE, MAE, LP: from that base, each iteration scores
     * {@code [min * a, max * b]} for the 144 pairs of {@code linspace(0.7, 1.2, 12)} and moves the base to the best
     * pair, 30 iterations. Then a positive min or a negative max becomes 0. A histogram of zeros gives
     * {@code [0, 0]}, which has no grid; the caller chooses a range for it.
     *
     * @throws IllegalArgumentException for bits outside 1..16, or LP with a non-positive {@code p}
     */
    public static float[] range(Histogram h, ErrorMethod error, int bits, double p) {
        requireHistogram(h);
        PtqChecks.requireErrorMethod(error);
        GridChecks.requireBits(bits, "bits");
        ErrorNorm norm = error == ErrorMethod.NOCLIPPING ? null : ErrorNorm.of(error, p);
        float[][] range = {{(float) h.min()}, {(float) h.max()}};
        if (norm != null) {
            Samples samples = Samples.of(h, norm);
            range = RangeSearch.run(range[0], range[1], SearchConstants.UNIFORM_HISTOGRAM_SAMPLES,
                    SearchConstants.UNIFORM_HISTOGRAM_ITERATIONS, (lo, hi) -> samples.uniformError(lo, hi, bits));
        }
        RangeSearch.includeZero(range[0], range[1], true);
        return new float[] {range[0][0], range[1][0]};
    }

    /**
     * The no-clipping threshold of an output whose bounds are known (Sigmoid and Softmax (0, 1), Tanh (-1, 1)):
     * {@code max(minThreshold, tensorMax)} for SYMMETRIC and its power-of-two round-up for POWER_OF_TWO, with the
     * sign-dependent {@code tensorMax} described on this class.
     *
     * @throws IllegalArgumentException for a method other than POWER_OF_TWO or SYMMETRIC, bits outside 1..16,
     *     bounds that are not finite or have {@code min > max}, or a non-positive {@code minThreshold}
     */
    public static float noClippingThreshold(float min, float max, QuantizationMethod method, int bits,
            boolean signed, float minThreshold) {
        PtqChecks.requireThresholdMethod(method);
        GridChecks.requireBits(bits, "bits");
        PtqChecks.requireMinThreshold(minThreshold);
        requireBounds(min, max);
        float t = noClipping(min, max, bits, signed, minThreshold);
        return method == QuantizationMethod.POWER_OF_TWO ? PowerOfTwo.roundUp(t) : t;
    }

    /**
     * The no-clipping range {@code {min, max}} of an output whose bounds are known, with the uniform post-fix: a
     * positive min or a negative max becomes 0.
     *
     * @throws IllegalArgumentException for bounds that are not finite or have {@code min > max}
     */
    public static float[] noClippingRange(float min, float max) {
        requireBounds(min, max);
        float[] lo = {min};
        float[] hi = {max};
        RangeSearch.includeZero(lo, hi, true);
        return new float[] {lo[0], hi[0]};
    }

    /**
     * Whether the statistics call for a signed grid, the last rule of docs/quantizer-contract.md#activation-signedness:
     * some bin with a non-zero count has a negative left edge.
     */
    public static boolean isSigned(Histogram h) {
        requireHistogram(h);
        for (int k = 0; k < h.bins(); k++) {
            if (h.count(k) != 0 && h.leftEdge(k) < 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code max(minThreshold, tensorMax)} with the sign-dependent tensor max described on this class. */
    private static float noClipping(float min, float max, int bits, boolean signed, float minThreshold) {
        float tensorMax = signed ? WeightThresholds.tensorMax(min, max, bits) : Math.max(0f, max);
        return Math.max(minThreshold, tensorMax);
    }

    private static void requireHistogram(Histogram h) {
        if (h == null) {
            throw new IllegalArgumentException("A histogram of the activation is required");
        }
    }

    private static void requireBounds(float min, float max) {
        if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
            throw new IllegalArgumentException("Output bounds must be finite with min <= max, got (" + min + ", "
                    + max + ")");
        }
    }
}
