package io.jqi.quant.trainable;

import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.TrainingMethod;

/**
 * Straight-through weights on a fixed symmetric or power-of-two grid: {@code q = step * clip(round(x / step))} with
 * the gradient passed to the weights (docs/quantizer-contract.md#ste-quantizers). The threshold is not trained.
 */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS,
        methods = {QuantizationMethod.POWER_OF_TWO, QuantizationMethod.SYMMETRIC}, identifier = TrainingMethod.STE)
public final class STEWeightQATQuantizer extends ThresholdQuantizer {

    /** With named overrides: "input_gradient" (IDENTITY or CLIPPED). */
    public STEWeightQATQuantizer(TrainableQuantizerWeightsConfig config, QuantizerOptions options) {
        this(config, options.enumValue("input_gradient", SteInputGradient.class, SteInputGradient.IDENTITY));
    }

    public STEWeightQATQuantizer(TrainableQuantizerWeightsConfig config) {
        this(config, SteInputGradient.IDENTITY);
    }

    public STEWeightQATQuantizer(TrainableQuantizerWeightsConfig config, SteInputGradient inputGradient) {
        super(config, false, GradientRule.ste(inputGradient), false);
    }
}
