package io.jqi.quant.trainable;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.registry.MarkQuantizer;
import io.jqi.quant.registry.TrainingMethod;
import io.jqi.tensor.Tensor;

/**
 * Straight-through activations with a trainable threshold (MCT's PyTorch STE, spec 7.2):
 * {@code q = step * ste_clip(ste_round(x / step))}, {@code dq/dT = (c - x/step) / 2^(n-s)} in and out of range.
 * {@code freezeQuantParams} keeps the threshold fixed.
 */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION,
        methods = {QuantizationMethod.POWER_OF_TWO, QuantizationMethod.SYMMETRIC}, identifier = TrainingMethod.STE)
public final class STESymmetricActivationTrainableQuantizer extends SymmetricActivationQuantizer {
    private final SteInputGradient inputGradient;

    /** With named overrides: "freeze_quant_params" (boolean) and "input_gradient" (IDENTITY or CLIPPED). */
    public STESymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig config, QuantizerOptions options) {
        this(config, options.bool("freeze_quant_params", false),
                options.enumValue("input_gradient", SteInputGradient.class, SteInputGradient.IDENTITY));
    }

    public STESymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig config) {
        this(config, false, SteInputGradient.IDENTITY);
    }

    public STESymmetricActivationTrainableQuantizer(TrainableQuantizerActivationConfig config,
            boolean freezeQuantParams, SteInputGradient inputGradient) {
        super(config, freezeQuantParams);
        this.inputGradient = inputGradient;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Tensor fused = fused(x, inputGradient == SteInputGradient.CLIPPED, false, 1f);
        if (fused != null) {
            return fused;
        }
        Tensor step = step();
        Tensor q = SymmetricGrids.roundedSteps(x, step);
        q = inputGradient == SteInputGradient.IDENTITY ? q.steClip(qmin(), qmax()) : q.clamp(qmin(), qmax());
        return q.mul(step);
    }
}
