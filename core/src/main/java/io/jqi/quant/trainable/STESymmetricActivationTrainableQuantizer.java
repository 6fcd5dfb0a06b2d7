package io.jqi.quant.trainable;

import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.TrainingMethod;

/**
 * Straight-through activations with a trainable threshold (MCT's PyTorch STE,
 * docs/quantizer-contract.md#ste-quantizers): {@code q = step * ste_clip(ste_round(x / step))},
 * {@code dq/dT = (c - x/step) / 2^(n-s)} in and out of range. {@code freezeQuantParams} keeps the threshold fixed.
 */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION,
        methods = {QuantizationMethod.POWER_OF_TWO, QuantizationMethod.SYMMETRIC}, identifier = TrainingMethod.STE)
public final class STESymmetricActivationTrainableQuantizer extends ThresholdQuantizer {

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
        super(config, freezeQuantParams, GradientRule.ste(inputGradient), !freezeQuantParams);
    }
}
