package io.jqi.ptq;

import io.jqi.grid.GridChecks;
import io.jqi.grid.PowerOfTwo;
import io.jqi.quant.QuantizationMethod;
import io.jqi.tensor.Tensor;

/**
 * Post-training selection of weight quantization parameters from the weight tensor itself
 * (docs/quantizer-contract.md#threshold-selection): thresholds for POWER_OF_TWO and SYMMETRIC grids, ranges for
 * UNIFORM ones, per tensor or per channel.
 * Weights are always quantized signed. The searches score candidates with {@link io.jqi.grid.Grid}, half-even, so
 * they score exactly what the resulting quantizer computes.
 *
 * <p>Choice where the reference leaves room: a power-of-two search result is clamped to
 * {@code PowerOfTwo.roundUp(minThreshold)} rather than to {@code minThreshold}, so that it stays a power of two
 * for any {@code minThreshold}; for the reference default {@code 2^-16} the two are the same.
 */
public final class WeightThresholds {
    private WeightThresholds() {
    }

    /**
     * The reference's {@code tensor_max(x, n)} for a tensor (or channel) with the given min and max:
     * {@code max(-min, max * e)} with {@code e = 2^(n-1) / (2^(n-1) - 1)}, so that the largest positive value fits
     * below the signed grid's top {@code T - T/2^(n-1)}; {@code e = 0} for one bit, where that top is 0. Computed
     * in double, rounded once to float. The uniform variant ({@code e = 1}) is {@code max(-min, max)}.
     */
    public static float tensorMax(float min, float max, int bits) {
        GridChecks.requireBits(bits, "bits");
        double levels = Math.scalb(1.0, bits - 1);
        double expansion = bits == 1 ? 0.0 : levels / (levels - 1.0);
        return (float) Math.max(-(double) min, (double) max * expansion);
    }

    /**
     * The threshold of a POWER_OF_TWO or SYMMETRIC weight quantizer, one per channel along {@code channelAxis}
     * when {@code perChannel}, else a single one.
     *
     * <ul>
     *   <li>NOCLIPPING: POWER_OF_TWO {@code 2^ceil(log2(max(tensorMax, minThreshold)))}, SYMMETRIC
     *       {@code max(minThreshold, tensorMax)}, with {@link #tensorMax} per channel.
     *   <li>MSE, MAE, LP, POWER_OF_TWO: candidates {@code T0 / 2^i}, i = 0..9, with
     *       {@code T0 = 2 * 2^ceil(log2(max(tensorMax, minThreshold)))}; each channel takes its lowest-error one.
     *   <li>MSE, MAE, LP, SYMMETRIC: the iterative interval search from {@code max(minThreshold, tensorMax)}:
     *       40 iterations narrowing every 5 per tensor, 15 narrowing every 3 per channel, 30 candidates each.
     * </ul>
     * Per channel, the channels are searched together as in the reference: each keeps its own candidates and
     * best, but they share the narrowing schedule and the early stop, which looks at the improvement averaged over
     * channels.
     *
     * @param channelAxis the channel axis, negative counting from the end; ignored per tensor
     * @param p the exponent of the LP error; ignored by the other error methods
     * @param minThreshold the smallest threshold returned (the reference uses {@code 2^-16})
     * @throws IllegalArgumentException for a method other than POWER_OF_TWO or SYMMETRIC, bits outside 1..16, an
     *     axis out of range, NaN or infinite weights, a non-positive {@code minThreshold}, or LP with a
     *     non-positive {@code p}
     */
    public static float[] threshold(Tensor weights, QuantizationMethod method, ErrorMethod error, int bits,
            boolean perChannel, int channelAxis, double p, float minThreshold) {
        PtqChecks.requireThresholdMethod(method);
        PtqChecks.requireErrorMethod(error);
        GridChecks.requireBits(bits, "bits");
        PtqChecks.requireMinThreshold(minThreshold);
        ErrorNorm norm = error == ErrorMethod.NOCLIPPING ? null : ErrorNorm.of(error, p);
        ChannelValues rows = ChannelValues.of(weights, perChannel, channelAxis);
        int channels = rows.channels;
        float[] start = new float[channels];
        for (int c = 0; c < channels; c++) {
            start[c] = Math.max(minThreshold, tensorMax(rows.min[c], rows.max[c], bits));
        }
        boolean pot = method == QuantizationMethod.POWER_OF_TWO;
        if (norm == null) {
            if (pot) {
                for (int c = 0; c < channels; c++) {
                    start[c] = PowerOfTwo.roundUp(start[c]);
                }
            }
            return start;
        }
        Samples samples = Samples.of(rows, norm);
        ThresholdSearch.Loss loss = t -> samples.symmetricError(t, bits, true);
        if (pot) {
            for (int c = 0; c < channels; c++) {
                start[c] = Math.scalb(PowerOfTwo.roundUp(start[c]), 1);
            }
            float[] found = ThresholdSearch.powerOfTwo(start, SearchConstants.POT_TENSOR_CANDIDATES, loss);
            return atLeast(found, PowerOfTwo.roundUp(minThreshold));
        }
        float[] found = perChannel
                ? ThresholdSearch.interval(start, SearchConstants.SYMMETRIC_PER_CHANNEL_ITERATIONS,
                        SearchConstants.SYMMETRIC_PER_CHANNEL_DEC_FREQ, loss)
                : ThresholdSearch.interval(start, SearchConstants.SYMMETRIC_TENSOR_ITERATIONS,
                        SearchConstants.SYMMETRIC_TENSOR_DEC_FREQ, loss);
        return atLeast(found, minThreshold);
    }

    /**
     * The range {@code {min[], max[]}} of a UNIFORM weight quantizer, one entry per channel along
     * {@code channelAxis} when {@code perChannel}, else one. Ranges are returned before the zero-alignment
     * adjustment, which the quantizer applies.
     *
     * <ul>
     *   <li>NOCLIPPING: {@code (min(x), max(-min(x), max(x)))}, the reference's quirk
     *       (docs/quantizer-contract.md#quirk-uniform-no-clipping-range): data in [-10, 4] gives (-10, 10).
     *   <li>MSE, MAE, LP: from that same base, each iteration scores {@code [min * a, max * b]} for the 64 pairs of
     *       {@code linspace(0.7, 1.2, 8)} and moves the base to the best pair; 30 iterations per tensor, 10 per
     *       channel.
     * </ul>
     *
     * <p>Then the reference's post-fix: per tensor a positive min becomes 0 and a negative max becomes 0; per
     * channel only channels whose min equals their max are fixed, so other channels may keep a range that does not
     * contain 0 until the quantizer's adjustment. A channel (or tensor) of zeros gets {@code [0, 0]}: it has no
     * range to quantize on, and the caller chooses one (any range around 0 keeps zeros exact).
     *
     * @param channelAxis the channel axis, negative counting from the end; ignored per tensor
     * @param p the exponent of the LP error; ignored by the other error methods
     * @throws IllegalArgumentException for bits outside 1..16, an axis out of range, NaN or infinite weights, or
     *     LP with a non-positive {@code p}
     */
    public static float[][] range(Tensor weights, ErrorMethod error, int bits, boolean perChannel, int channelAxis,
            double p) {
        PtqChecks.requireErrorMethod(error);
        GridChecks.requireBits(bits, "bits");
        ErrorNorm norm = error == ErrorMethod.NOCLIPPING ? null : ErrorNorm.of(error, p);
        ChannelValues rows = ChannelValues.of(weights, perChannel, channelAxis);
        int channels = rows.channels;
        float[] min = rows.min.clone();
        float[] max = new float[channels];
        for (int c = 0; c < channels; c++) {
            max[c] = Math.max(-rows.min[c], rows.max[c]);
        }
        float[][] range = {min, max};
        if (norm != null) {
            Samples samples = Samples.of(rows, norm);
            int iterations = perChannel
                    ? SearchConstants.UNIFORM_PER_CHANNEL_ITERATIONS
                    : SearchConstants.UNIFORM_TENSOR_ITERATIONS;
            range = RangeSearch.run(min, max, SearchConstants.UNIFORM_TENSOR_SAMPLES, iterations,
                    (lo, hi) -> samples.uniformError(lo, hi, bits));
        }
        RangeSearch.includeZero(range[0], range[1], !perChannel);
        return range;
    }

    private static float[] atLeast(float[] thresholds, float floor) {
        for (int c = 0; c < thresholds.length; c++) {
            thresholds[c] = Math.max(floor, thresholds[c]);
        }
        return thresholds;
    }
}
