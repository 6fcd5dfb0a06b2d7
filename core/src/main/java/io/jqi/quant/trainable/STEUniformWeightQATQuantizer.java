package io.jqi.quant.trainable;

import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.TrainingMethod;

/**
 * Straight-through weights on a fixed uniform grid; the range is not trained
 * (docs/quantizer-contract.md#uniform-trainable-gradients).
 */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = QuantizationMethod.UNIFORM,
        identifier = TrainingMethod.STE)
public final class STEUniformWeightQATQuantizer extends RangeQuantizer {

    /** With named overrides: "input_gradient" (IDENTITY or CLIPPED). */
    public STEUniformWeightQATQuantizer(TrainableQuantizerWeightsConfig config, QuantizerOptions options) {
        this(config, options.enumValue("input_gradient", SteInputGradient.class, SteInputGradient.IDENTITY));
    }

    public STEUniformWeightQATQuantizer(TrainableQuantizerWeightsConfig config) {
        this(config, SteInputGradient.IDENTITY);
    }

    public STEUniformWeightQATQuantizer(TrainableQuantizerWeightsConfig config, SteInputGradient inputGradient) {
        super(config, false, GradientRule.ste(inputGradient), false);
    }
}
