package io.jqi.quant.inferable;

import io.jqi.grid.GridChecks;
import io.jqi.grid.RoundingMode;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerId;

/** Symmetric activations whose threshold is a power of two: jqi's default activation quantizer. */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION, methods = QuantizationMethod.POWER_OF_TWO,
        identifier = QuantizerId.INFERABLE)
public final class ActivationPOTInferableQuantizer extends ActivationSymmetricInferableQuantizer {

    public ActivationPOTInferableQuantizer(int numBits, float[] threshold, boolean signed, RoundingMode rounding) {
        super(numBits, powerOfTwo(threshold), signed, rounding);
    }

    public static ActivationPOTInferableQuantizer of(int numBits, float threshold, boolean signed) {
        return new ActivationPOTInferableQuantizer(numBits, new float[] {threshold}, signed, RoundingMode.HALF_EVEN);
    }

    /** {@link ActivationSymmetricInferableQuantizer}'s keys. */
    public static ActivationPOTInferableQuantizer fromConfig(QuantizerConfig.Reader in) {
        int bits = in.integer("num_bits");
        boolean signed = in.bool("signed");
        return new ActivationPOTInferableQuantizer(bits, in.numbers("threshold"), signed,
                in.enumValue("rounding", RoundingMode.class, RoundingMode.HALF_EVEN));
    }

    private static float[] powerOfTwo(float[] threshold) {
        GridChecks.requireThresholds(threshold, false);
        GridChecks.requirePowerOfTwo(threshold);
        return threshold;
    }
}
