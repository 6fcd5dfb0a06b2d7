package io.jqi.nn;

import io.jqi.tensor.Functional;
import io.jqi.tensor.Tensor;

/**
 * The mean over each window of {@code x [N, C, H, W]}; padded cells are left out of the count (ONNX AveragePool's
 * default).
 */
public final class AvgPool2D extends Pool2D {

    /** Non-overlapping square windows: stride equal to the kernel, no padding. */
    public AvgPool2D(int kernel) {
        super(kernel);
    }

    /** Kernel, stride and padding are {h, w} pairs; padding must be smaller than the kernel. */
    public AvgPool2D(int[] kernel, int[] stride, int[] padding) {
        super(kernel, stride, padding, false);
    }

    /** As {@link #AvgPool2D(int[], int[], int[])}, the output extents rounding up in {@code ceilMode}. */
    public AvgPool2D(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        super(kernel, stride, padding, ceilMode);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return Functional.avgPool2d(singleInput(inputs), kernel(), stride(), padding(), ceilMode());
    }
}
