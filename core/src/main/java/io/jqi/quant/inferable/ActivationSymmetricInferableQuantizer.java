package io.jqi.quant.inferable;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.Grid;
import io.jqi.grid.GridChecks;
import io.jqi.grid.RoundingMode;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerId;

/**
 * Symmetric activations: step {@code T / 2^(n - s)}; signed covers {@code [-T, T - step]}, unsigned
 * {@code [0, T - step]}.
 */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION, methods = QuantizationMethod.SYMMETRIC,
        identifier = QuantizerId.INFERABLE)
public class ActivationSymmetricInferableQuantizer extends ActivationInferableQuantizer {
    private final float threshold;
    private final boolean signed;
    private final RoundingMode rounding;
    private final Grid grid;

    /** @param threshold a list of length 1, as in the reference's file format */
    public ActivationSymmetricInferableQuantizer(int numBits, float[] threshold, boolean signed,
            RoundingMode rounding) {
        super(numBits, signed, rounding);
        GridChecks.requireThresholds(threshold, false);
        this.threshold = threshold[0];
        this.signed = signed;
        this.rounding = rounding;
        this.grid = AffineGrid.symmetric(threshold.clone(), numBits, signed, rounding);
    }

    public static ActivationSymmetricInferableQuantizer of(int numBits, float threshold, boolean signed) {
        return new ActivationSymmetricInferableQuantizer(numBits, new float[] {threshold}, signed,
                RoundingMode.HALF_EVEN);
    }

    @Override
    public final void writeConfig(QuantizerConfig.Writer out) {
        out.put("num_bits", numBits());
        out.put("signed", signed);
        out.put("threshold", new float[] {threshold});
        out.put("rounding", rounding);
    }

    public static ActivationSymmetricInferableQuantizer fromConfig(QuantizerConfig.Reader in) {
        int bits = in.integer("num_bits");
        boolean signed = in.bool("signed");
        return new ActivationSymmetricInferableQuantizer(bits, in.numbers("threshold"), signed,
                in.enumValue("rounding", RoundingMode.class, RoundingMode.HALF_EVEN));
    }

    public final float threshold() {
        return threshold;
    }

    public final boolean signed() {
        return signed;
    }

    public final RoundingMode rounding() {
        return rounding;
    }

    @Override
    public final Grid grid() {
        return grid;
    }
}
