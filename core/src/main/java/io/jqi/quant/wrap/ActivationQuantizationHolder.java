package io.jqi.quant.wrap;

import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.QuantizationTarget;
import io.jqi.tensor.Tensor;

/**
 * Fake-quantizes the activation that flows through it (docs/quantizer-contract.md#activation-holder): a node of its
 * own after the layer whose output it quantizes, hosting the quantizer's variables.
 */
public final class ActivationQuantizationHolder extends QuantizerHostModule {
    /** The name the reference gives the holder's quantizer, and so its threshold variable. */
    public static final String QUANTIZER_NAME = "activation_holder_quantizer_out";

    private FakeQuantizer quantizer;

    public ActivationQuantizationHolder(FakeQuantizer quantizer) {
        if (quantizer.target() != QuantizationTarget.ACTIVATION) {
            throw new IllegalArgumentException("An activation holder needs an ACTIVATION quantizer, but "
                    + quantizer.getClass().getSimpleName() + " quantizes " + quantizer.target());
        }
        quantizer.initializeQuantization(null, QUANTIZER_NAME, this);
        this.quantizer = quantizer;
    }

    public FakeQuantizer quantizer() {
        return quantizer;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return quantizer.apply(singleInput(inputs), isTraining());
    }

    /**
     * Replaces a trainable quantizer with its inferable form; its variables stay registered, unused, as in the
     * reference.
     */
    public void convertToInferableQuantizers() {
        quantizer = inferable(quantizer);
    }
}
