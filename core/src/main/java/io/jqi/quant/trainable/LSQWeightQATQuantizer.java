package io.jqi.quant.trainable;

import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.TrainingMethod;

/**
 * Learned step size quantization of weights (docs/quantizer-contract.md#lsq-quantizers): the threshold is trained,
 * its step gradient scaled by g; the input gradient is masked where the rounded value was clipped.
 */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS,
        methods = {QuantizationMethod.POWER_OF_TWO, QuantizationMethod.SYMMETRIC}, identifier = TrainingMethod.LSQ)
public final class LSQWeightQATQuantizer extends ThresholdQuantizer {

    /** With named overrides: "gradient_scale" (MCT or PAPER). */
    public LSQWeightQATQuantizer(TrainableQuantizerWeightsConfig config, QuantizerOptions options) {
        this(config, options.enumValue("gradient_scale", LsqGradientScale.class, LsqGradientScale.MCT));
    }

    public LSQWeightQATQuantizer(TrainableQuantizerWeightsConfig config) {
        this(config, LsqGradientScale.MCT);
    }

    public LSQWeightQATQuantizer(TrainableQuantizerWeightsConfig config, LsqGradientScale gradientScale) {
        super(config, false, GradientRule.lsq(gradientScale), true);
    }
}
