package io.jqi.nn;

import io.jqi.tensor.Functional;
import io.jqi.tensor.Tensor;

/** The maximum over each window of {@code x [N, C, H, W]}; padding never wins (it counts as -infinity). */
public final class MaxPool2D extends Pool2D implements DataMovement {

    /** Non-overlapping square windows: stride equal to the kernel, no padding. */
    public MaxPool2D(int kernel) {
        super(kernel);
    }

    /** Kernel, stride and padding are {h, w} pairs; padding must be smaller than the kernel. */
    public MaxPool2D(int[] kernel, int[] stride, int[] padding) {
        super(kernel, stride, padding, false);
    }

    /** As {@link #MaxPool2D(int[], int[], int[])}, the output extents rounding up in {@code ceilMode}. */
    public MaxPool2D(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        super(kernel, stride, padding, ceilMode);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return Functional.maxPool2d(singleInput(inputs), kernel(), stride(), padding(), ceilMode());
    }
}
