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

/**
 * Asymmetric weights on {@code [min, max]} per tensor or per channel. The constructor checks {@code min < max},
 * then adjusts each range so that zero is on the grid; {@link #minRange()} and {@link #maxRange()} are the
 * adjusted ranges.
 */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = QuantizationMethod.UNIFORM,
        identifier = QuantizerId.INFERABLE)
public final class WeightsUniformInferableQuantizer extends WeightsInferableQuantizer {
    private final float[] minRange;
    private final float[] maxRange;
    private final RoundingMode rounding;
    private final Grid grid;

    public WeightsUniformInferableQuantizer(int numBits, float[] minRange, float[] maxRange, boolean perChannel,
            Integer channelAxis, Integer inputRank, RoundingMode rounding) {
        super(numBits, false, perChannel, channelAxis, inputRank, false, rounding);
        GridChecks.requireRanges(minRange, maxRange, perChannel);
        float[][] adjusted = UniformRange.adjustAll(minRange, maxRange, numBits);
        this.minRange = adjusted[0];
        this.maxRange = adjusted[1];
        this.rounding = rounding;
        this.grid = AffineGrid.uniform(this.minRange, this.maxRange, numBits, rounding);
    }

    @Override
    public void writeConfig(QuantizerConfig.Writer out) {
        out.put("num_bits", numBits());
        out.put("min_range", minRange);
        out.put("max_range", maxRange);
        writeChannels(out);
        out.put("rounding", rounding);
    }

    public static WeightsUniformInferableQuantizer fromConfig(QuantizerConfig.Reader in) {
        int bits = in.integer("num_bits");
        float[] min = in.numbers("min_range");
        float[] max = in.numbers("max_range");
        Channels c = Channels.read(in);
        return new WeightsUniformInferableQuantizer(bits, min, max, c.perChannel(), c.channelAxis(), c.inputRank(),
                in.enumValue("rounding", RoundingMode.class, RoundingMode.HALF_EVEN));
    }

    public float[] minRange() {
        return minRange.clone();
    }

    public float[] maxRange() {
        return maxRange.clone();
    }

    public RoundingMode rounding() {
        return rounding;
    }

    @Override
    public Grid grid() {
        return grid;
    }
}
