package io.jqi.quant.inferable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerChecks;
import io.jqi.quant.registry.MarkQuantizer;
import io.jqi.quant.registry.QuantizerId;

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
        QuantizerChecks.requireThresholds(threshold, perChannel);
        QuantizerChecks.requirePowerOfTwo(threshold);
        return threshold;
    }
}
