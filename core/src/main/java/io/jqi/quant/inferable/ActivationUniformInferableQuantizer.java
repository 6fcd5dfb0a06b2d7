package io.jqi.quant.inferable;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.Grid;
import io.jqi.grid.GridChecks;
import io.jqi.grid.RoundingMode;
import io.jqi.grid.UniformRange;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerId;

/** Asymmetric activations on one {@code [min, max]} range, adjusted so that zero is on the grid. */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION, methods = QuantizationMethod.UNIFORM,
        identifier = QuantizerId.INFERABLE)
public final class ActivationUniformInferableQuantizer extends ActivationInferableQuantizer {
    private final float minRange;
    private final float maxRange;
    private final RoundingMode rounding;
    private final Grid grid;

    /** @param minRange a list of length 1, as is {@code maxRange} */
    public ActivationUniformInferableQuantizer(int numBits, float[] minRange, float[] maxRange,
            RoundingMode rounding) {
        super(numBits, false, rounding);
        GridChecks.requireRanges(minRange, maxRange, false);
        float[] r = UniformRange.adjust(minRange[0], maxRange[0], numBits);
        this.minRange = r[0];
        this.maxRange = r[1];
        this.rounding = rounding;
        this.grid = AffineGrid.uniform(new float[] {this.minRange}, new float[] {this.maxRange}, numBits, rounding);
    }

    public static ActivationUniformInferableQuantizer of(int numBits, float minRange, float maxRange) {
        return new ActivationUniformInferableQuantizer(numBits, new float[] {minRange}, new float[] {maxRange},
                RoundingMode.HALF_EVEN);
    }

    @Override
    public void writeConfig(QuantizerConfig.Writer out) {
        out.put("num_bits", numBits());
        out.put("min_range", new float[] {minRange});
        out.put("max_range", new float[] {maxRange});
        out.put("rounding", rounding);
    }

    public static ActivationUniformInferableQuantizer fromConfig(QuantizerConfig.Reader in) {
        int bits = in.integer("num_bits");
        float[] min = in.numbers("min_range");
        float[] max = in.numbers("max_range");
        return new ActivationUniformInferableQuantizer(bits, min, max,
                in.enumValue("rounding", RoundingMode.class, RoundingMode.HALF_EVEN));
    }

    /** The adjusted minimum. */
    public float minRange() {
        return minRange;
    }

    /** The adjusted maximum. */
    public float maxRange() {
        return maxRange;
    }

    public RoundingMode rounding() {
        return rounding;
    }

    @Override
    public Grid grid() {
        return grid;
    }
}
