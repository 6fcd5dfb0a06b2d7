package io.jqi.ptq;

import io.jqi.grid.GridChecks;
import io.jqi.quant.QuantizationMethod;

/**
 * How an op's output activation is quantized: grid, bit width and signedness
 * (docs/quantizer-contract.md#activation-signedness).
 */
public record ActivationQuantization(QuantizationMethod method, int bits, Signedness signedness) {
    public ActivationQuantization {
        if (method == null) {
            throw new IllegalArgumentException("Activation quantization needs a method: POWER_OF_TWO, SYMMETRIC or "
                    + "UNIFORM");
        }
        if (method == QuantizationMethod.LUT_POT || method == QuantizationMethod.LUT_SYMMETRIC) {
            throw new IllegalArgumentException("Post-training selection of LUT activations (" + method + ") is not "
                    + "supported; use POWER_OF_TWO, SYMMETRIC or UNIFORM");
        }
        GridChecks.requireBits(bits, "Activation bits");
        if (signedness == null) {
            throw new IllegalArgumentException("Activation quantization needs a signedness (AUTO, SIGNED, UNSIGNED)");
        }
    }

    /** Signedness decided from the statistics. */
    public static ActivationQuantization of(QuantizationMethod method, int bits) {
        return new ActivationQuantization(method, bits, Signedness.AUTO);
    }
}
