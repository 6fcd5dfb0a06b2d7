package io.jqi.tensor;

import java.util.Arrays;

/** Max, average and global average pooling over NCHW planes, with hand-written gradients from the backend. */
final class Pooling {
    private static final int[] NO_DILATION = {1, 1};

    private Pooling() {
    }

    static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        Window2d w = window("maxPool2d", x, kernel, stride, padding, ceilMode);
        Shape outShape = outShape(w);
        // The argmax is only worth its memory when a backward pass will read it.
        int[] argmax = GradMode.isEnabled() && x.requiresGrad() ? new int[outShape.numel()] : null;
        Storage out = x.backend().maxPool2d(x.storage(), w, argmax);
        Shape inShape = x.shape();
        return Tensor.result(outShape, out, g -> new Tensor[] {
            Tensor.ofStorage(inShape, g.backend().maxPool2dBackward(g.storage(), argmax, w))}, x);
    }

    static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        return avgPool(x, window("avgPool2d", x, kernel, stride, padding, ceilMode));
    }

    static Tensor globalAvgPool2d(Tensor x) {
        Window2d.requireNchw("globalAvgPool2d", x.shape());
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("globalAvgPool2d: input " + x.shape() + " has empty planes, whose "
                    + "mean is undefined");
        }
        // One window covering the whole plane: the pooling kernel runs parallel over planes, unlike mean().
        return avgPool(x, Window2d.of("globalAvgPool2d", x.shape(), height, width, NO_DILATION, new int[] {0, 0},
                NO_DILATION));
    }

    private static Tensor avgPool(Tensor x, Window2d w) {
        Storage out = x.backend().avgPool2d(x.storage(), w);
        Shape inShape = x.shape();
        return Tensor.result(outShape(w), out, g -> new Tensor[] {
            Tensor.ofStorage(inShape, g.backend().avgPool2dBackward(g.storage(), w))}, x);
    }

    private static Window2d window(String op, Tensor x, int[] kernel, int[] stride, int[] padding,
            boolean ceilMode) {
        Window2d.requireNchw(op, x.shape());
        Window2d.requirePair(op, "kernel", kernel, 1);
        Window2d w = Window2d.of(op, x.shape(), kernel[0], kernel[1], stride, padding, NO_DILATION, ceilMode);
        // As in ONNX Runtime: a window made only of padding would have no maximum and nothing to average.
        if (padding[0] >= kernel[0] || padding[1] >= kernel[1]) {
            throw new IllegalArgumentException(op + ": padding " + Arrays.toString(padding) + " must be smaller than "
                    + "the kernel " + Arrays.toString(kernel) + " in both directions, or some windows would cover "
                    + "only padding");
        }
        return w;
    }

    private static Shape outShape(Window2d w) {
        return Shape.of(w.batch(), w.channels(), w.outHeight(), w.outWidth());
    }
}
