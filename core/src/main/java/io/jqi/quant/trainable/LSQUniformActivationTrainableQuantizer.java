package io.jqi.quant.trainable;

import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.TrainingMethod;

/**
 * Learned uniform range for activations (docs/quantizer-contract.md#uniform-trainable-gradients); g uses the
 * input's channel count (axis 1 of NCHW), recomputed on every call (docs/quantizer-contract.md#lsq-gradient-scale).
 */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION, methods = QuantizationMethod.UNIFORM,
        identifier = TrainingMethod.LSQ)
public final class LSQUniformActivationTrainableQuantizer extends RangeQuantizer {

    /** With named overrides: "gradient_scale" (MCT or PAPER). */
    public LSQUniformActivationTrainableQuantizer(TrainableQuantizerActivationConfig config, QuantizerOptions options) {
        this(config, options.enumValue("gradient_scale", LsqGradientScale.class, LsqGradientScale.MCT));
    }

    public LSQUniformActivationTrainableQuantizer(TrainableQuantizerActivationConfig config) {
        this(config, LsqGradientScale.MCT);
    }

    public LSQUniformActivationTrainableQuantizer(TrainableQuantizerActivationConfig config,
            LsqGradientScale gradientScale) {
        super(config, false, GradientRule.lsq(gradientScale), true);
    }
}
