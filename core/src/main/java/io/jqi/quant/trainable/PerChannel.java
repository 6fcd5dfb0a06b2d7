package io.jqi.quant.trainable;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.Arrays;

/** Per-channel quantizer parameters are stored 1-D [C]; they broadcast along the input's channel axis. */
final class PerChannel {
    private PerChannel() {
    }

    /** A [C] parameter reshaped to broadcast along {@code axis} of an input of {@code shape}; per tensor as is. */
    static Tensor alongAxis(Tensor parameter, Shape shape, boolean perChannel, int axis) {
        if (!perChannel) {
            return parameter;
        }
        int a = shape.normalizeAxis(axis);
        if (shape.dim(a) != parameter.numel()) {
            throw new IllegalArgumentException("The quantizer has " + parameter.numel() + " per-channel parameters but"
                    + " the input has " + shape.dim(a) + " channels on axis " + axis + " (shape " + shape + ")");
        }
        int[] dims = new int[shape.rank()];
        Arrays.fill(dims, 1);
        dims[a] = parameter.numel();
        return parameter.reshape(dims);
    }
}
