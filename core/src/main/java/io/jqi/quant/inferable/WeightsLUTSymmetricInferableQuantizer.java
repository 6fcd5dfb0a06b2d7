package io.jqi.quant.inferable;

import io.jqi.grid.Grid;
import io.jqi.grid.GridChecks;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerId;

/**
 * Signed non-uniform weights: each value goes to the nearest of at most {@code 2^numBits} integer levels of
 * {@code lutValuesBitwidth} bits, scaled by the threshold. Per-channel use needs {@code inputRank}, as in the
 * reference.
 */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = QuantizationMethod.LUT_SYMMETRIC,
        identifier = QuantizerId.INFERABLE)
public class WeightsLUTSymmetricInferableQuantizer extends WeightsInferableQuantizer {
    public static final int DEFAULT_LUT_VALUES_BITWIDTH = 8;
    public static final float DEFAULT_EPS = 1e-8f;

    private final float[] lutValues;
    private final float[] threshold;
    private final int lutValuesBitwidth;
    private final float eps;
    private final Grid grid;

    public WeightsLUTSymmetricInferableQuantizer(int numBits, float[] lutValues, float[] threshold,
            boolean perChannel, Integer channelAxis, Integer inputRank, int lutValuesBitwidth, float eps) {
        super(numBits, true, perChannel, channelAxis, inputRank, true, RoundingMode.HALF_EVEN);
        GridChecks.requireThresholds(threshold, perChannel);
        GridChecks.requireLut(lutValues, numBits, lutValuesBitwidth, true);
        GridChecks.requireEps(eps);
        this.lutValues = lutValues.clone();
        this.threshold = threshold.clone();
        this.lutValuesBitwidth = lutValuesBitwidth;
        this.eps = eps;
        this.grid = new LutGrid(this.lutValues, this.threshold, lutValuesBitwidth, true, eps);
    }

    @Override
    public final void writeConfig(QuantizerConfig.Writer out) {
        out.put("num_bits", numBits());
        out.put("lut_values", lutValues);
        out.put("threshold", threshold);
        writeChannels(out);
        out.put("lut_values_bitwidth", lutValuesBitwidth);
        out.put("eps", eps);
    }

    public static WeightsLUTSymmetricInferableQuantizer fromConfig(QuantizerConfig.Reader in) {
        int bits = in.integer("num_bits");
        float[] lut = in.numbers("lut_values");
        float[] threshold = in.numbers("threshold");
        Channels c = Channels.read(in);
        return new WeightsLUTSymmetricInferableQuantizer(bits, lut, threshold, c.perChannel(), c.channelAxis(),
                c.inputRank(), lutValuesBitwidth(in), in.number("eps", DEFAULT_EPS));
    }

    /** {@code lut_values_bitwidth}, {@link #DEFAULT_LUT_VALUES_BITWIDTH} when absent. */
    static int lutValuesBitwidth(QuantizerConfig.Reader in) {
        Integer bitwidth = in.optionalInteger("lut_values_bitwidth");
        return bitwidth == null ? DEFAULT_LUT_VALUES_BITWIDTH : bitwidth;
    }

    public final float[] lutValues() {
        return lutValues.clone();
    }

    public final float[] threshold() {
        return threshold.clone();
    }

    public final int lutValuesBitwidth() {
        return lutValuesBitwidth;
    }

    public final float eps() {
        return eps;
    }

    @Override
    public final Grid grid() {
        return grid;
    }
}
