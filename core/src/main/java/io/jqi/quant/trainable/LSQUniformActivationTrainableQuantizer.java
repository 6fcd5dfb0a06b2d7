package io.jqi.quant.trainable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.registry.MarkQuantizer;
import io.jqi.quant.registry.TrainingMethod;
import io.jqi.tensor.Tensor;

/** Learned uniform range for activations (spec 7.3); g uses the input's channel count (axis 1 of NCHW). */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION, methods = QuantizationMethod.UNIFORM,
        identifier = TrainingMethod.LSQ)
public final class LSQUniformActivationTrainableQuantizer extends UniformActivationQuantizer {
    private final LsqGradientScale gradientScale;

    /** With named overrides: "gradient_scale" (MCT or PAPER). */
    public LSQUniformActivationTrainableQuantizer(TrainableQuantizerActivationConfig config, QuantizerOptions options) {
        this(config, options.enumValue("gradient_scale", LsqGradientScale.class, LsqGradientScale.MCT));
    }

    public LSQUniformActivationTrainableQuantizer(TrainableQuantizerActivationConfig config) {
        this(config, LsqGradientScale.MCT);
    }

    public LSQUniformActivationTrainableQuantizer(TrainableQuantizerActivationConfig config,
            LsqGradientScale gradientScale) {
        super(config, false);
        this.gradientScale = gradientScale;
    }

    @Override
    float gradScale(Tensor x) {
        long count;
        if (gradientScale == LsqGradientScale.MCT) {
            count = x.rank() >= 2 ? x.shape().dim(1) : 1;
        } else {
            count = x.rank() >= 1 && x.shape().dim(0) > 0 ? x.numel() / x.shape().dim(0) : x.numel();
        }
        return (float) (1.0 / Math.sqrt(UniformGrids.qmax(config().nBits()) * (double) Math.max(count, 1)));
    }

    @Override
    boolean hardClip() {
        return true;
    }
}
