package io.jqi.quant.inferable;

import io.jqi.grid.Grid;
import io.jqi.grid.GridChecks;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerId;

/** Non-uniform activations with a power-of-two threshold, signed or unsigned. */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION, methods = QuantizationMethod.LUT_POT,
        identifier = QuantizerId.INFERABLE)
public final class ActivationLutPOTInferableQuantizer extends ActivationInferableQuantizer {
    private final float[] lutValues;
    private final float threshold;
    private final boolean signed;
    private final int lutValuesBitwidth;
    private final float eps;
    private final Grid grid;

    public ActivationLutPOTInferableQuantizer(int numBits, float[] lutValues, float[] threshold, boolean signed,
            int lutValuesBitwidth, float eps) {
        super(numBits, signed, RoundingMode.HALF_EVEN);
        GridChecks.requireThresholds(threshold, false);
        GridChecks.requirePowerOfTwo(threshold);
        GridChecks.requireLut(lutValues, numBits, lutValuesBitwidth, signed);
        GridChecks.requireEps(eps);
        this.lutValues = lutValues.clone();
        this.threshold = threshold[0];
        this.signed = signed;
        this.lutValuesBitwidth = lutValuesBitwidth;
        this.eps = eps;
        this.grid = new LutGrid(this.lutValues, new float[] {this.threshold}, lutValuesBitwidth, signed, eps);
    }

    @Override
    public void writeConfig(QuantizerConfig.Writer out) {
        out.put("num_bits", numBits());
        out.put("lut_values", lutValues);
        out.put("threshold", new float[] {threshold});
        out.put("signed", signed);
        out.put("lut_values_bitwidth", lutValuesBitwidth);
        out.put("eps", eps);
    }

    public static ActivationLutPOTInferableQuantizer fromConfig(QuantizerConfig.Reader in) {
        int bits = in.integer("num_bits");
        float[] lut = in.numbers("lut_values");
        float[] threshold = in.numbers("threshold");
        boolean signed = in.bool("signed");
        float eps = in.number("eps", WeightsLUTSymmetricInferableQuantizer.DEFAULT_EPS);
        return new ActivationLutPOTInferableQuantizer(bits, lut, threshold, signed,
                WeightsLUTSymmetricInferableQuantizer.lutValuesBitwidth(in), eps);
    }

    public float[] lutValues() {
        return lutValues.clone();
    }

    public float threshold() {
        return threshold;
    }

    public boolean signed() {
        return signed;
    }

    public int lutValuesBitwidth() {
        return lutValuesBitwidth;
    }

    public float eps() {
        return eps;
    }

    @Override
    public Grid grid() {
        return grid;
    }
}
