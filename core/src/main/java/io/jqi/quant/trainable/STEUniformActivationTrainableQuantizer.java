package io.jqi.quant.trainable;

import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.TrainingMethod;

/**
 * Straight-through uniform activations with a trainable range unless frozen (MCT's PyTorch STE,
 * docs/quantizer-contract.md#uniform-trainable-gradients).
 */
@MarkQuantizer(target = QuantizationTarget.ACTIVATION, methods = QuantizationMethod.UNIFORM,
        identifier = TrainingMethod.STE)
public final class STEUniformActivationTrainableQuantizer extends RangeQuantizer {

    /** With named overrides: "freeze_quant_params" (boolean) and "input_gradient" (IDENTITY or CLIPPED). */
    public STEUniformActivationTrainableQuantizer(TrainableQuantizerActivationConfig config, QuantizerOptions options) {
        this(config, options.bool("freeze_quant_params", false),
                options.enumValue("input_gradient", SteInputGradient.class, SteInputGradient.IDENTITY));
    }

    public STEUniformActivationTrainableQuantizer(TrainableQuantizerActivationConfig config) {
        this(config, false, SteInputGradient.IDENTITY);
    }

    public STEUniformActivationTrainableQuantizer(TrainableQuantizerActivationConfig config, boolean freezeQuantParams,
            SteInputGradient inputGradient) {
        super(config, freezeQuantParams, GradientRule.ste(inputGradient), !freezeQuantParams);
    }
}
