package io.jqi.quant.trainable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.registry.MarkQuantizer;
import io.jqi.quant.registry.TrainingMethod;
import io.jqi.tensor.Tensor;

/**
 * Learned step size quantization of activations (spec 7.3). MCT's g uses the input's channel count (axis 1 of NCHW),
 * recomputed on every call.
 */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION,
        methods = {QuantizationMethod.POWER_OF_TWO, QuantizationMethod.SYMMETRIC}, identifier = TrainingMethod.LSQ)
public final class LSQSymmetricActivationTrainableQuantizer extends SymmetricActivationQuantizer {
    private final LsqGradientScale gradientScale;

    /** With named overrides: "gradient_scale" (MCT or PAPER). */
    public LSQSymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig config, QuantizerOptions options) {
        this(config, options.enumValue("gradient_scale", LsqGradientScale.class, LsqGradientScale.MCT));
    }

    public LSQSymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig config) {
        this(config, LsqGradientScale.MCT);
    }

    public LSQSymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig config,
            LsqGradientScale gradientScale) {
        super(config, false);
        this.gradientScale = gradientScale;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        long count;
        if (gradientScale == LsqGradientScale.MCT) {
            count = x.rank() >= 2 ? x.shape().dim(1) : 1;
        } else {
            count = x.rank() >= 1 && x.shape().dim(0) > 0 ? x.numel() / x.shape().dim(0) : x.numel();
        }
        float g = (float) (1.0 / Math.sqrt(qmax() * (double) Math.max(count, 1)));
        Tensor fused = fused(x, true, true, g);
        if (fused != null) {
            return fused;
        }
        Tensor step = step().gradScale(g);
        return SymmetricGrids.roundedSteps(x, step).clamp(qmin(), qmax()).mul(step);
    }
}
