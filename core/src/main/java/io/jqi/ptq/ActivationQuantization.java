package io.jqi.ptq;

import io.jqi.grid.GridChecks;
import io.jqi.quant.QuantizationMethod;
import java.util.List;

/**
 * How an op's output activation is quantized: grid, bit width and signedness
 * (docs/quantizer-contract.md#activation-signedness); and the widths a mixed-precision search may give it instead
 * (none declared: a search that chooses activation widths needs candidates given).
 */
public record ActivationQuantization(QuantizationMethod method, int bits, Signedness signedness,
        List<Integer> candidateBits) {
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
        candidateBits = GridChecks.requireCandidateBits(candidateBits, "mixed-precision candidate widths");
    }

    /** Without mixed-precision candidates. */
    public ActivationQuantization(QuantizationMethod method, int bits, Signedness signedness) {
        this(method, bits, signedness, List.of());
    }

    /** This quantization at {@code newBits}, its signedness and candidates kept. */
    public ActivationQuantization withBits(int newBits) {
        return new ActivationQuantization(method, newBits, signedness, candidateBits);
    }

    /** This quantization with {@code widths} as the mixed-precision candidates. */
    public ActivationQuantization withCandidateBits(List<Integer> widths) {
        return new ActivationQuantization(method, bits, signedness, widths);
    }

    /** Signedness decided from the statistics. */
    public static ActivationQuantization of(QuantizationMethod method, int bits) {
        return new ActivationQuantization(method, bits, Signedness.AUTO);
    }
}
