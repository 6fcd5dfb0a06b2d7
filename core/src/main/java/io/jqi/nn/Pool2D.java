package io.jqi.nn;

/** A sliding-window pooling layer over {@code x [N, C, H, W]}: the window's hyper-parameters, shared by its kinds. */
public abstract sealed class Pool2D extends Module permits MaxPool2D, AvgPool2D {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final boolean ceilMode;

    /**
     * Kernel, stride and padding are {h, w} pairs; padding must be smaller than the kernel. In {@code ceilMode} the
     * output extents round up (PyTorch's {@code ceil_mode}, ONNX's {@code ceil_mode}).
     */
    Pool2D(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        String layer = getClass().getSimpleName();
        this.kernel = Pairs.of(layer, "kernel", kernel, 1);
        this.stride = Pairs.of(layer, "stride", stride, 1);
        this.padding = Pairs.of(layer, "padding", padding, 0);
        this.ceilMode = ceilMode;
    }

    /** Non-overlapping square windows: stride equal to the kernel, no padding. */
    Pool2D(int kernel) {
        this(Pairs.square(kernel), Pairs.square(kernel), Pairs.square(0), false);
    }

    /** {kh, kw}. */
    public final int[] kernel() {
        return kernel.clone();
    }

    /** {h, w}. */
    public final int[] stride() {
        return stride.clone();
    }

    /** Padding on each side, {h, w}. */
    public final int[] padding() {
        return padding.clone();
    }

    /** Whether the output extents round up (a partial last window) rather than down. */
    public final boolean ceilMode() {
        return ceilMode;
    }
}
