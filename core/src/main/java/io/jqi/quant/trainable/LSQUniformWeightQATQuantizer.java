package io.jqi.quant.trainable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.registry.MarkQuantizer;
import io.jqi.quant.registry.TrainingMethod;
import io.jqi.tensor.Tensor;

/** Learned uniform range for weights (spec 7.3): min and max trained, the step gradient scaled by g. */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = QuantizationMethod.UNIFORM,
        identifier = TrainingMethod.LSQ)
public final class LSQUniformWeightQATQuantizer extends UniformWeightQuantizer {
    private final LsqGradientScale gradientScale;

    /** With named overrides: "gradient_scale" (MCT or PAPER). */
    public LSQUniformWeightQATQuantizer(TrainableQuantizerWeightsConfig config, QuantizerOptions options) {
        this(config, options.enumValue("gradient_scale", LsqGradientScale.class, LsqGradientScale.MCT));
    }

    public LSQUniformWeightQATQuantizer(TrainableQuantizerWeightsConfig config) {
        this(config, LsqGradientScale.MCT);
    }

    public LSQUniformWeightQATQuantizer(TrainableQuantizerWeightsConfig config, LsqGradientScale gradientScale) {
        super(config);
        this.gradientScale = gradientScale;
    }

    @Override
    boolean trainsRange() {
        return true;
    }

    @Override
    float gradScale(Tensor x) {
        long count = gradientScale == LsqGradientScale.MCT ? channels() : x.numel();
        return (float) (1.0 / Math.sqrt(UniformGrids.qmax(config().nBits()) * (double) count));
    }

    @Override
    boolean hardClip() {
        return true;
    }
}
