package io.jqi.quant.inferable;

import io.jqi.grid.GridChecks;
import io.jqi.grid.RoundingMode;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerId;

/** Symmetric weights whose every threshold is a power of two. */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = QuantizationMethod.POWER_OF_TWO,
        identifier = QuantizerId.INFERABLE)
public final class WeightsPOTInferableQuantizer extends WeightsSymmetricInferableQuantizer {

    public WeightsPOTInferableQuantizer(int numBits, float[] threshold, boolean perChannel, Integer channelAxis,
            Integer inputRank, RoundingMode rounding) {
        super(numBits, powersOfTwo(threshold, perChannel), perChannel, channelAxis, inputRank, rounding);
    }

    /** {@link WeightsSymmetricInferableQuantizer}'s keys. */
    public static WeightsPOTInferableQuantizer fromConfig(QuantizerConfig.Reader in) {
        int bits = in.integer("num_bits");
        float[] threshold = in.numbers("threshold");
        Channels c = Channels.read(in);
        return new WeightsPOTInferableQuantizer(bits, threshold, c.perChannel(), c.channelAxis(), c.inputRank(),
                in.enumValue("rounding", RoundingMode.class, RoundingMode.HALF_EVEN));
    }

    private static float[] powersOfTwo(float[] threshold, boolean perChannel) {
        GridChecks.requireThresholds(threshold, perChannel);
        GridChecks.requirePowerOfTwo(threshold);
        return threshold;
    }
}
