package io.jqi.quant.inferable;

import io.jqi.grid.GridChecks;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerId;

/** LUT weights whose thresholds are powers of two. */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = QuantizationMethod.LUT_POT,
        identifier = QuantizerId.INFERABLE)
public final class WeightsLUTPOTInferableQuantizer extends WeightsLUTSymmetricInferableQuantizer {

    public WeightsLUTPOTInferableQuantizer(int numBits, float[] lutValues, float[] threshold, boolean perChannel,
            Integer channelAxis, Integer inputRank, int lutValuesBitwidth, float eps) {
        super(numBits, lutValues, powersOfTwo(threshold, perChannel), perChannel, channelAxis, inputRank,
                lutValuesBitwidth, eps);
    }

    private static float[] powersOfTwo(float[] threshold, boolean perChannel) {
        GridChecks.requireThresholds(threshold, perChannel);
        GridChecks.requirePowerOfTwo(threshold);
        return threshold;
    }
}
