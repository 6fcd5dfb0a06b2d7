package io.jqi.ptq;

import io.jqi.grid.IntegerRange;
import io.jqi.grid.LutGrid;
import io.jqi.quant.QuantizationMethod;
import io.jqi.tensor.Tensor;
import java.util.Arrays;

/**
 * Post-training selection of LUT weights (LUT_POT, LUT_SYMMETRIC), as the reference's {@code lut_kmeans_tensor}
 * (docs/quantizer-contract.md#lut-weights-selection):
 *
 * <ol>
 *   <li>thresholds per channel (or one) by the no-clipping rule of the underlying grid at {@code bits}: a power of
 *       two for LUT_POT, the tensor max for LUT_SYMMETRIC ({@link WeightThresholds#threshold});
 *   <li>every weight scaled onto the LUT values' {@code b}-bit integer range as the quantizer scales it,
 *       {@code clip(x / (T + eps) * 2^(b-1), -2^(b-1), 2^(b-1) - 1)};
 *   <li>one k-means over all those values, {@code 2^bits} clusters (fewer distinct values: one level each), with
 *       {@code seed};
 *   <li>the centers rounded half to even, duplicates dropped, and the level nearest 0 set to 0 unless 0 is a level
 *       already, so zero weights (pruned ones, padding) stay exactly zero.
 * </ol>
 * The levels are shared by every channel; each channel keeps its threshold.
 */
public final class LutWeights {
    /** The seed of the k-means when none is given. */
    public static final long DEFAULT_SEED = 0;

    private LutWeights() {
    }

    /** The chosen levels (ascending integers) and thresholds (one per channel, or one). */
    public record Selection(float[] levels, float[] thresholds) {
    }

    /**
     * The LUT of {@code weights} for {@code method} at {@code bits}, with levels of {@code lutBitwidth} bits.
     *
     * @throws IllegalArgumentException for a method other than LUT_POT or LUT_SYMMETRIC, {@code bits} not below
     *     {@code lutBitwidth}, or weights that {@link WeightThresholds#threshold} refuses
     */
    public static Selection select(Tensor weights, QuantizationMethod method, int bits, boolean perChannel,
            int channelAxis, float minThreshold, int lutBitwidth, float eps, long seed) {
        if (method != QuantizationMethod.LUT_POT && method != QuantizationMethod.LUT_SYMMETRIC) {
            throw new IllegalArgumentException("LUT weights need LUT_POT or LUT_SYMMETRIC, got " + method);
        }
        if (bits >= lutBitwidth) {
            throw new IllegalArgumentException("A LUT of " + bits + " bits needs levels of more bits, but "
                    + "lut_values_bitwidth is " + lutBitwidth + "; use fewer bits (the reference requires bits < "
                    + lutBitwidth + ")");
        }
        QuantizationMethod grid = method == QuantizationMethod.LUT_POT ? QuantizationMethod.POWER_OF_TWO
                : QuantizationMethod.SYMMETRIC;
        float[] thresholds = WeightThresholds.threshold(weights, grid, ErrorMethod.NOCLIPPING, bits, perChannel,
                channelAxis, 2, minThreshold);
        ChannelValues rows = ChannelValues.of(weights, perChannel, channelAxis);
        IntegerRange range = IntegerRange.of(lutBitwidth, true);
        float[] scaled = new float[rows.values.length];
        for (int c = 0; c < rows.channels; c++) {
            for (int i = c * rows.length; i < (c + 1) * rows.length; i++) {
                scaled[i] = LutGrid.scaled(rows.values[i], thresholds[c], range.levels(), range.qmin(), range.qmax(),
                        eps);
            }
        }
        double[] centers = KMeans1d.centers(scaled, 1 << bits, seed);
        return new Selection(levels(centers), thresholds);
    }

    /** Rounded half to even, distinct, ascending, with 0 among them. */
    static float[] levels(double[] centers) {
        double[] rounded = Arrays.stream(centers).map(Math::rint).distinct().sorted().toArray();
        int nearestZero = 0;
        for (int j = 1; j < rounded.length; j++) {
            if (Math.abs(rounded[j]) < Math.abs(rounded[nearestZero])) {
                nearestZero = j;
            }
        }
        // Still ascending: the level nearest 0 has only levels of the other sign, or farther from 0, beside it.
        rounded[nearestZero] = 0;
        float[] levels = new float[rounded.length];
        for (int j = 0; j < rounded.length; j++) {
            levels[j] = (float) rounded[j];
        }
        return levels;
    }
}
