package io.jqi.quant.inferable;

import io.jqi.quant.Grid;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerChecks;
import io.jqi.quant.RoundingMode;
import io.jqi.quant.UniformRange;
import io.jqi.quant.registry.MarkQuantizer;
import io.jqi.quant.registry.QuantizerId;

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
        super(numBits, perChannel, channelAxis, inputRank, false);
        QuantizerChecks.requireRanges(minRange, maxRange, perChannel);
        float[][] adjusted = UniformRange.adjustAll(minRange, maxRange, numBits);
        this.minRange = adjusted[0];
        this.maxRange = adjusted[1];
        this.rounding = rounding;
        this.grid = Grid.uniform(this.minRange, this.maxRange, numBits, rounding);
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
    protected Grid grid() {
        return grid;
    }
}
