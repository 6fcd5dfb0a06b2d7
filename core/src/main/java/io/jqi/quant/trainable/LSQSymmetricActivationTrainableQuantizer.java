package io.jqi.quant.trainable;

import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.TrainingMethod;

/**
 * Learned step size quantization of activations (docs/quantizer-contract.md#lsq-quantizers). MCT's g uses the
 * input's channel count (axis 1 of NCHW), recomputed on every call (docs/quantizer-contract.md#lsq-gradient-scale).
 */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION,
        methods = {QuantizationMethod.POWER_OF_TWO, QuantizationMethod.SYMMETRIC}, identifier = TrainingMethod.LSQ)
public final class LSQSymmetricActivationTrainableQuantizer extends ThresholdQuantizer {

    /** With named overrides: "gradient_scale" (MCT or PAPER). */
    public LSQSymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig config, QuantizerOptions options) {
        this(config, options.enumValue("gradient_scale", LsqGradientScale.class, LsqGradientScale.MCT));
    }

    public LSQSymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig config) {
        this(config, LsqGradientScale.MCT);
    }

    public LSQSymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig config,
            LsqGradientScale gradientScale) {
        super(config, false, GradientRule.lsq(gradientScale), true);
    }
}
