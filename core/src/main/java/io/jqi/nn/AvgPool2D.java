package io.jqi.nn;

import io.jqi.tensor.Functional;
import io.jqi.tensor.Tensor;

/**
 * The mean over each window of {@code x [N, C, H, W]}; padded cells are left out of the count (ONNX AveragePool's
 * default).
 */
public final class AvgPool2D extends Module {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;

    /** Non-overlapping square windows: stride equal to the kernel, no padding. */
    public AvgPool2D(int kernel) {
        this(Pairs.square(kernel), Pairs.square(kernel), Pairs.square(0));
    }

    /** Kernel, stride and padding are {h, w} pairs; padding must be smaller than the kernel. */
    public AvgPool2D(int[] kernel, int[] stride, int[] padding) {
        this.kernel = Pairs.of("AvgPool2D", "kernel", kernel, 1);
        this.stride = Pairs.of("AvgPool2D", "stride", stride, 1);
        this.padding = Pairs.of("AvgPool2D", "padding", padding, 0);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return Functional.avgPool2d(singleInput(inputs), kernel, stride, padding);
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
