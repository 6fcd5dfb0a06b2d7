package io.jqi.quant.trainable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.registry.MarkQuantizer;
import io.jqi.quant.registry.TrainingMethod;
import io.jqi.tensor.Tensor;

/** Straight-through weights on a fixed uniform grid (spec 7.2); the range is not trained. */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = QuantizationMethod.UNIFORM,
        identifier = TrainingMethod.STE)
public final class STEUniformWeightQATQuantizer extends UniformWeightQuantizer {
    private final SteInputGradient inputGradient;

    /** With named overrides: "input_gradient" (IDENTITY or CLIPPED). */
    public STEUniformWeightQATQuantizer(TrainableQuantizerWeightsConfig config, QuantizerOptions options) {
        this(config, options.enumValue("input_gradient", SteInputGradient.class, SteInputGradient.IDENTITY));
    }

    public STEUniformWeightQATQuantizer(TrainableQuantizerWeightsConfig config) {
        this(config, SteInputGradient.IDENTITY);
    }

    public STEUniformWeightQATQuantizer(TrainableQuantizerWeightsConfig config, SteInputGradient inputGradient) {
        super(config);
        this.inputGradient = inputGradient;
    }

    @Override
    boolean trainsRange() {
        return false;
    }

    @Override
    float gradScale(Tensor x) {
        return 1f;
    }

    @Override
    boolean hardClip() {
        return inputGradient == SteInputGradient.CLIPPED;
    }
}
