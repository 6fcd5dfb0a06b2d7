package io.jqi.ptq;

import io.jqi.grid.GridChecks;
import io.jqi.quant.QuantizationMethod;

/**
 * How a layer's kernel is quantized: grid, bit width, and per-channel along {@code channelAxis} (the output-channel
 * axis of jqi's {@code [out, in, ...]} kernels is 0) or per tensor.
 */
public record WeightQuantization(QuantizationMethod method, int bits, boolean perChannel, int channelAxis) {
    public WeightQuantization {
        if (method == null) {
            throw new IllegalArgumentException("Weights quantization needs a method: POWER_OF_TWO, SYMMETRIC, "
                    + "UNIFORM, LUT_POT or LUT_SYMMETRIC");
        }
        GridChecks.requireBits(bits, "Weights bits");
        if (channelAxis < 0) {
            throw new IllegalArgumentException("The weights channel axis must be >= 0, got " + channelAxis);
        }
    }

    /** Per-channel on the output-channel axis 0, jqi's kernel layout. */
    public static WeightQuantization perChannel(QuantizationMethod method, int bits) {
        return new WeightQuantization(method, bits, true, 0);
    }

    public static WeightQuantization perTensor(QuantizationMethod method, int bits) {
        return new WeightQuantization(method, bits, false, 0);
    }
}
