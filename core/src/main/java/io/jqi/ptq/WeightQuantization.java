package io.jqi.ptq;

import java.util.List;

import io.jqi.grid.GridChecks;
import io.jqi.quant.QuantizationMethod;

/**
 * How a layer's kernel is quantized: grid, bit width, and per-channel along {@code channelAxis} (the output-channel
 * axis of jqi's {@code [out, in, ...]} kernels is 0) or per tensor; and the widths a mixed-precision search may give it
 * instead (the reference's per-op candidate configurations; none declared: the search needs candidates given).
 */
public record WeightQuantization(QuantizationMethod method, int bits, boolean perChannel, int channelAxis,
        List<Integer> candidateBits) {
    public WeightQuantization {
        if (method == null) {
            throw new IllegalArgumentException("Weights quantization needs a method: POWER_OF_TWO, SYMMETRIC, "
                    + "UNIFORM, LUT_POT or LUT_SYMMETRIC");
        }
        GridChecks.requireBits(bits, "Weights bits");
        if (channelAxis < 0) {
            throw new IllegalArgumentException("The weights channel axis must be >= 0, got " + channelAxis);
        }
        candidateBits = GridChecks.requireCandidateBits(candidateBits, "mixed-precision candidate widths");
    }

    /** Without mixed-precision candidates. */
    public WeightQuantization(QuantizationMethod method, int bits, boolean perChannel, int channelAxis) {
        this(method, bits, perChannel, channelAxis, List.of());
    }

    /** Per-channel on the output-channel axis 0, jqi's kernel layout. */
    public static WeightQuantization perChannel(QuantizationMethod method, int bits) {
        return new WeightQuantization(method, bits, true, 0);
    }

    public static WeightQuantization perTensor(QuantizationMethod method, int bits) {
        return new WeightQuantization(method, bits, false, 0);
    }

    /** This quantization at {@code newBits}, its candidates kept. */
    public WeightQuantization withBits(int newBits) {
        return new WeightQuantization(method, newBits, perChannel, channelAxis, candidateBits);
    }

    /** This quantization with {@code widths} as the mixed-precision candidates. */
    public WeightQuantization withCandidateBits(List<Integer> widths) {
        return new WeightQuantization(method, bits, perChannel, channelAxis, widths);
    }
}
