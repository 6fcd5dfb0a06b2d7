package io.jqi.nn;

import io.jqi.tensor.Functional;
import io.jqi.tensor.Tensor;

/** The maximum over each window of {@code x [N, C, H, W]}; padding never wins (it counts as -infinity). */
public final class MaxPool2D extends Module {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;

    /** Non-overlapping square windows: stride equal to the kernel, no padding. */
    public MaxPool2D(int kernel) {
        this(Pairs.square(kernel), Pairs.square(kernel), Pairs.square(0));
    }

    /** Kernel, stride and padding are {h, w} pairs; padding must be smaller than the kernel. */
    public MaxPool2D(int[] kernel, int[] stride, int[] padding) {
        this.kernel = Pairs.of("MaxPool2D", "kernel", kernel, 1);
        this.stride = Pairs.of("MaxPool2D", "stride", stride, 1);
        this.padding = Pairs.of("MaxPool2D", "padding", padding, 0);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return Functional.maxPool2d(singleInput(inputs), kernel, stride, padding);
    }

    /** {kh, kw}. */
    public int[] kernel() {
        return kernel.clone();
    }

    /** {h, w}. */
    public int[] stride() {
        return stride.clone();
    }

    /** Padding on each side, {h, w}. */
    public int[] padding() {
        return padding.clone();
    }
}
