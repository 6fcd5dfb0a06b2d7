package io.jqi.tensor;

import java.util.Arrays;

/**
 * Where a sliding 2-D window lands on an NCHW input: the geometry that convolution's im2col/col2im and the pooling
 * kernels share, so a device backend receives one value instead of a dozen loose ints. Output extents use floor
 * division (PyTorch's and ONNX's default), or ceiling division in {@code ceilMode} (pooling only: the last window may
 * run past the padded input, and its cells outside the input are left out like padding); padding is symmetric.
 */
public record Window2d(int batch, int channels, int height, int width, int kernelHeight, int kernelWidth,
        int strideHeight, int strideWidth, int padHeight, int padWidth, int dilationHeight, int dilationWidth,
        boolean ceilMode) {

    /** A window whose output extents round down. */
    public Window2d(int batch, int channels, int height, int width, int kernelHeight, int kernelWidth,
            int strideHeight, int strideWidth, int padHeight, int padWidth, int dilationHeight, int dilationWidth) {
        this(batch, channels, height, width, kernelHeight, kernelWidth, strideHeight, strideWidth, padHeight, padWidth,
                dilationHeight, dilationWidth, false);
    }

    public int outHeight() {
        return outExtent(height, kernelHeight, strideHeight, padHeight, dilationHeight, ceilMode);
    }

    public int outWidth() {
        return outExtent(width, kernelWidth, strideWidth, padWidth, dilationWidth, ceilMode);
    }

    /** Taps per window: the rows each channel contributes to the im2col matrix. */
    public int kernelSize() {
        return kernelHeight * kernelWidth;
    }

    /** Elements of the NCHW input. */
    public int inputSize() {
        return Math.toIntExact((long) batch * channels * height * width);
    }

    /** Elements of the NCHW output of a pooling over this window. */
    public int outputSize() {
        return Math.toIntExact((long) batch * channels * outHeight() * outWidth());
    }

    /** Elements of the im2col matrix: [channels * kernelSize, batch * outHeight * outWidth]. */
    public int columnsSize() {
        return Math.toIntExact((long) channels * kernelSize() * batch * outHeight() * outWidth());
    }

    /**
     * The number of window positions along one axis: {@code floor(span / stride) + 1} with {@code span = size + 2 pad
     * - dilation (kernel - 1) - 1}, or in ceil mode {@code ceil(span / stride) + 1} less a last window that would
     * start beyond the input and its leading padding (PyTorch's rule, which ONNX Runtime follows).
     */
    public static int outExtent(int size, int kernel, int stride, int pad, int dilation, boolean ceilMode) {
        int span = size + 2 * pad - dilation * (kernel - 1) - 1;
        // floorDiv keeps an impossible window at an extent <= 0 instead of truncating up to 1.
        if (!ceilMode) {
            return Math.floorDiv(span, stride) + 1;
        }
        int out = -Math.floorDiv(-span, stride) + 1;
        return out > 1 && (out - 1) * stride >= size + pad ? out - 1 : out;
    }

    /**
     * The window of {@code op} over {@code input} [N, C, H, W], or an {@link IllegalArgumentException} that says which
     * argument to change. {@code stride}, {@code padding} and {@code dilation} are {h, w} pairs.
     */
    static Window2d of(String op, Shape input, int kernelHeight, int kernelWidth, int[] stride, int[] padding,
            int[] dilation) {
        return of(op, input, kernelHeight, kernelWidth, stride, padding, dilation, false);
    }

    /** {@link #of(String, Shape, int, int, int[], int[], int[])} with the output extents' rounding. */
    static Window2d of(String op, Shape input, int kernelHeight, int kernelWidth, int[] stride, int[] padding,
            int[] dilation, boolean ceilMode) {
        requireNchw(op, input);
        requirePair(op, "stride", stride, 1);
        requirePair(op, "padding", padding, 0);
        requirePair(op, "dilation", dilation, 1);
        if (kernelHeight < 1 || kernelWidth < 1) {
            throw new IllegalArgumentException(op + ": the kernel must be at least 1 x 1 but is " + kernelHeight + " x "
                    + kernelWidth);
        }
        Window2d w = new Window2d(input.dim(0), input.dim(1), input.dim(2), input.dim(3), kernelHeight, kernelWidth,
                stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], ceilMode);
        requireOutput(op, "height", "rows", w.height, w.kernelHeight, w.padHeight, w.dilationHeight, w.outHeight());
        requireOutput(op, "width", "columns", w.width, w.kernelWidth, w.padWidth, w.dilationWidth, w.outWidth());
        return w;
    }

    static void requireNchw(String op, Shape input) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException(op + ": expected an input [N, C, H, W] of rank 4 but got shape " + input
                    + (input.rank() == 3 ? "; add the batch dimension with reshape(1, C, H, W)" : ""));
        }
    }

    /** An {h, w} pair from the public API, each value at least {@code min}. */
    static void requirePair(String op, String name, int[] pair, int min) {
        if (pair == null || pair.length != 2) {
            throw new IllegalArgumentException(op + ": " + name + " must be an int[] of 2 values {h, w} but is "
                    + Arrays.toString(pair));
        }
        if (pair[0] < min || pair[1] < min) {
            throw new IllegalArgumentException(op + ": " + name + " " + Arrays.toString(pair) + " must be at least "
                    + min + " in both directions");
        }
    }

    private static void requireOutput(String op, String extent, String unit, int size, int kernel, int pad,
            int dilation, int out) {
        if (out >= 1) {
            return;
        }
        int span = dilation * (kernel - 1) + 1;
        String kernelText = dilation == 1 ? "kernel " + extent + " " + kernel
                : "kernel " + extent + " " + kernel + " with dilation " + dilation;
        throw new IllegalArgumentException(op + ": the " + kernelText + " spans " + span + " " + unit
                + ", more than the padded input " + extent + " " + (size + 2 * pad) + " (" + size + " + 2 x padding "
                + pad + "), so the output " + extent + " would be " + out + "; use a smaller kernel"
                + (dilation == 1 ? "" : " or dilation") + ", more padding, or a larger input");
    }
}
