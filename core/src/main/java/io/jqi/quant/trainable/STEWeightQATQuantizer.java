package io.jqi.quant.trainable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.registry.MarkQuantizer;
import io.jqi.quant.registry.TrainingMethod;
import io.jqi.tensor.Tensor;

/**
 * Straight-through weights on a fixed symmetric or power-of-two grid: {@code q = step * clip(round(x / step))} with
 * the gradient passed to the weights (spec 7.2). The threshold is not trained.
 */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS,
        methods = {QuantizationMethod.POWER_OF_TWO, QuantizationMethod.SYMMETRIC}, identifier = TrainingMethod.STE)
public final class STEWeightQATQuantizer extends SymmetricWeightQuantizer {
    private final SteInputGradient inputGradient;

    /** With named overrides: "input_gradient" (IDENTITY or CLIPPED). */
    public STEWeightQATQuantizer(TrainableQuantizerWeightsConfig config, QuantizerOptions options) {
        this(config, options.enumValue("input_gradient", SteInputGradient.class, SteInputGradient.IDENTITY));
    }

    public STEWeightQATQuantizer(TrainableQuantizerWeightsConfig config) {
        this(config, SteInputGradient.IDENTITY);
    }

    public STEWeightQATQuantizer(TrainableQuantizerWeightsConfig config, SteInputGradient inputGradient) {
        super(config);
        this.inputGradient = inputGradient;
    }

    @Override
    boolean trainsThreshold() {
        return false;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Tensor fused = fused(x, inputGradient == SteInputGradient.CLIPPED, false, 1f);
        if (fused != null) {
            return fused;
        }
        Tensor step = step(x.shape());
        Tensor q = SymmetricGrids.roundedSteps(x, step);
        q = inputGradient == SteInputGradient.IDENTITY ? q.steClip(qmin(), qmax()) : q.clamp(qmin(), qmax());
        return q.mul(step);
    }
}
