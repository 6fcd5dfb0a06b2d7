package io.jqi.quant.trainable;

import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.TrainingMethod;

/**
 * Learned uniform range for weights: min and max trained, the step gradient scaled by g
 * (docs/quantizer-contract.md#uniform-trainable-gradients).
 */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = QuantizationMethod.UNIFORM,
        identifier = TrainingMethod.LSQ)
public final class LSQUniformWeightQATQuantizer extends RangeQuantizer {

    /** With named overrides: "gradient_scale" (MCT or PAPER). */
    public LSQUniformWeightQATQuantizer(TrainableQuantizerWeightsConfig config, QuantizerOptions options) {
        this(config, options.enumValue("gradient_scale", LsqGradientScale.class, LsqGradientScale.MCT));
    }

    public LSQUniformWeightQATQuantizer(TrainableQuantizerWeightsConfig config) {
        this(config, LsqGradientScale.MCT);
    }

    public LSQUniformWeightQATQuantizer(TrainableQuantizerWeightsConfig config, LsqGradientScale gradientScale) {
        super(config, false, GradientRule.lsq(gradientScale), true);
    }
}
