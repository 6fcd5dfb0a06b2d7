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

    /** {@link WeightsLUTSymmetricInferableQuantizer}'s keys. */
    public static WeightsLUTPOTInferableQuantizer fromConfig(QuantizerConfig.Reader in) {
        int bits = in.integer("num_bits");
        float[] lut = in.numbers("lut_values");
        float[] threshold = in.numbers("threshold");
        Channels c = Channels.read(in);
        return new WeightsLUTPOTInferableQuantizer(bits, lut, threshold, c.perChannel(), c.channelAxis(),
                c.inputRank(), lutValuesBitwidth(in), in.number("eps", DEFAULT_EPS));
    }

    private static float[] powersOfTwo(float[] threshold, boolean perChannel) {
        GridChecks.requireThresholds(threshold, perChannel);
        GridChecks.requirePowerOfTwo(threshold);
        return threshold;
    }
}
