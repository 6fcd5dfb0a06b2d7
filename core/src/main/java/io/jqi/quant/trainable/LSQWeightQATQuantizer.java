package io.jqi.quant.trainable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.registry.MarkQuantizer;
import io.jqi.quant.registry.TrainingMethod;
import io.jqi.tensor.Tensor;

/**
 * Learned step size quantization of weights (spec 7.3): the threshold is trained, its step gradient scaled by g;
 * the input gradient is masked where the rounded value was clipped.
 */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS,
        methods = {QuantizationMethod.POWER_OF_TWO, QuantizationMethod.SYMMETRIC}, identifier = TrainingMethod.LSQ)
public final class LSQWeightQATQuantizer extends SymmetricWeightQuantizer {
    private final LsqGradientScale gradientScale;

    /** With named overrides: "gradient_scale" (MCT or PAPER). */
    public LSQWeightQATQuantizer(TrainableQuantizerWeightsConfig config, QuantizerOptions options) {
        this(config, options.enumValue("gradient_scale", LsqGradientScale.class, LsqGradientScale.MCT));
    }

    public LSQWeightQATQuantizer(TrainableQuantizerWeightsConfig config) {
        this(config, LsqGradientScale.MCT);
    }

    public LSQWeightQATQuantizer(TrainableQuantizerWeightsConfig config, LsqGradientScale gradientScale) {
        super(config);
        this.gradientScale = gradientScale;
    }

    @Override
    boolean trainsThreshold() {
        return true;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        long count = gradientScale == LsqGradientScale.MCT ? threshold().numel() : x.numel();
        float g = (float) (1.0 / Math.sqrt(qmax() * (double) count));
        Tensor fused = fused(x, true, true, g);
        if (fused != null) {
            return fused;
        }
        Tensor step = step(x.shape()).gradScale(g);
        return SymmetricGrids.roundedSteps(x, step).clamp(qmin(), qmax()).mul(step);
    }
}
