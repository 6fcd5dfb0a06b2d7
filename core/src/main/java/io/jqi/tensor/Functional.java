package io.jqi.tensor;

import java.util.Random;

/**
 * The neural-network layer functions, stateless and differentiable, in the NCHW layout with PyTorch/ONNX weight
 * conventions. Arguments are checked up front: a wrong shape or value raises an {@link IllegalArgumentException}
 * that names the operation and says what to change. The implementations live in package-private classes, one
 * concept each; this class is only the public entry point.
 */
public final class Functional {
    private Functional() {
    }

    /**
     * {@code x @ weight^T + bias}: {@code x [..., in]}, {@code weight [out, in]}, {@code bias [out]} or null; the
     * result is {@code [..., out]}.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Linear.linear(x, weight, bias);
    }

    /**
     * 2-D cross-correlation (a deep-learning "convolution") with zero padding: {@code x [N, C, H, W]},
     * {@code weight [O, C / groups, kh, kw]}, {@code bias [O]} or null. {@code stride}, {@code padding} and
     * {@code dilation} are {h, w} pairs; input and output channels split into {@code groups} independent groups
     * ({@code groups == C} is a depthwise convolution). The result is {@code [N, O, OH, OW]} with
     * {@code OH = floor((H + 2 * padH - dilationH * (kh - 1) - 1) / strideH) + 1}, and likewise OW.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
            int groups) {
        return Convolution.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * The maximum over each {@code kernel} window of {@code x [N, C, H, W]}. Padding counts as -infinity (it never
     * wins) and must be smaller than the kernel; the gradient goes to the first maximum in window order.
     */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return Pooling.maxPool2d(x, kernel, stride, padding, false);
    }

    /**
     * {@link #maxPool2d(Tensor, int[], int[], int[])} whose output extents round up when {@code ceilMode}
     * (PyTorch's {@code ceil_mode}): a last, partial window covers what remains of the input.
     */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        return Pooling.maxPool2d(x, kernel, stride, padding, ceilMode);
    }

    /**
     * The mean over each {@code kernel} window of {@code x [N, C, H, W]}. Padded cells are left out of the count
     * (ONNX AveragePool's default {@code count_include_pad = 0}); padding must be smaller than the kernel.
     */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return Pooling.avgPool2d(x, kernel, stride, padding, false);
    }

    /**
     * {@link #avgPool2d(Tensor, int[], int[], int[])} whose output extents round up when {@code ceilMode}; a partial
     * last window averages the cells it covers inside the input.
     */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        return Pooling.avgPool2d(x, kernel, stride, padding, ceilMode);
    }

    /** The mean of each plane: {@code [N, C, H, W] -> [N, C, 1, 1]}. */
    public static Tensor globalAvgPool2d(Tensor x) {
        return Pooling.globalAvgPool2d(x);
    }

    /**
     * Batch normalization per channel of {@code x [N, C]} or {@code [N, C, H, W]}:
     * {@code (x - mean) / sqrt(var + eps) * weight + bias}, with {@code weight} and {@code bias} ({@code [C]}) null
     * when the layer is not affine.
     *
     * <p>In training, mean and var are the batch's (biased variance), and {@code runningMean} and
     * {@code runningVar} ({@code [C]} leaf buffers) are updated in place as PyTorch does:
     * {@code running = (1 - momentum) * running + momentum * batchStat}, with the unbiased batch variance for
     * {@code runningVar}. In eval mode the running statistics normalize and are left unchanged. When both running
     * statistics are null the batch statistics are used in either mode (PyTorch's
     * {@code track_running_stats=False}).
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
            boolean training, float momentum, float eps) {
        return Normalization.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /**
     * Inverted dropout: in training each element is kept with probability {@code 1 - p} and scaled by
     * {@code 1 / (1 - p)}, the mask drawn from {@code random} in row-major order (seed it for reproducible runs).
     * Returns {@code x} itself when not training or when {@code p == 0}. {@code p} must be in [0, 1).
     */
    public static Tensor dropout(Tensor x, float p, boolean training, Random random) {
        return Dropout.dropout(x, p, training, random);
    }
}
