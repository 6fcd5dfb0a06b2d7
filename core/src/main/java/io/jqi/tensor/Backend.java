package io.jqi.tensor;

import io.jqi.quant.AffineGrid;
import io.jqi.quant.ChannelLayout;
import io.jqi.quant.QuantizerChecks;
import io.jqi.quant.UniformRange;

/**
 * The kernels of one device. Tensor operations and their gradients are written once against this interface, so a
 * second device (CUDA) plugs in by implementing it; nothing above it knows where storage lives. Every kernel
 * allocates its result; shapes are validated by the caller.
 */
public interface Backend {
    Device device();

    Storage fromHost(float[] values);

    Storage zeros(int size);

    /** {@code op} applied to every element, with the op's scalar parameters {@code a} and {@code b}. */
    Storage map(UnaryOp op, Storage x, float a, float b);

    /** {@code op(a, b)} with NumPy broadcasting of {@code aShape} and {@code bShape} to {@code outShape}. */
    Storage zip(BinaryOp op, Storage a, Shape aShape, Storage b, Shape bShape, Shape outShape);

    /** Sums over the axes where {@code outShape} (same rank, kept dims) has extent 1 and {@code xShape} has more. */
    Storage sumTo(Storage x, Shape xShape, Shape outShape);

    /** Largest element over the last axis of a {@code [rows, cols]} view, and its first index. */
    Storage maxLastAxis(Storage x, int rows, int cols, int[] argmax);

    /**
     * {@code batch} products {@code C[b] = op(A[b]) @ op(B[b])} of {@code [m, k] x [k, n]}, with op a transpose when
     * asked; a batch stride of 0 broadcasts that operand.
     */
    Storage matmul(Storage a, Storage b, int batch, int m, int k, int n, boolean transposeA, boolean transposeB,
            int aBatchStride, int bBatchStride);

    /** A row-major copy of {@code x} with its axes reordered by {@code permutation}. */
    Storage permute(Storage x, Shape xShape, int[] permutation);

    /** {@code parts} joined along {@code axis} (each part's shape in {@code shapes}). */
    Storage concat(Storage[] parts, Shape[] shapes, int axis, Shape outShape);

    /** The slice {@code [start, start + length)} of {@code axis}, as a new row-major tensor. */
    Storage narrow(Storage x, Shape xShape, int axis, int start, int length);

    /**
     * Unfolds {@code x} [batch, channels, height, width] into the im2col matrix
     * [channels * kernelHeight * kernelWidth, batch * outHeight * outWidth]: row {@code (c, ki, kj)}, column
     * {@code (n, oy, ox)} holds the input cell that tap reads, or 0 where it falls in the padding. Channels are the
     * outer row index so a convolution group's rows are contiguous; the batch is folded into the columns so one
     * matrix product serves the whole batch.
     */
    Storage im2col(Storage x, Window2d window);

    /** The adjoint of {@link #im2col}: adds every entry of {@code columns} onto the input cell it was read from. */
    Storage col2im(Storage columns, Window2d window);

    /**
     * Max over each window of {@code x} [batch, channels, height, width] (padding never wins); the result is
     * [batch, channels, outHeight, outWidth]. When {@code argmax} is not null it receives, per output element, the
     * index {@code iy * width + ix} within its plane of the first maximum in window order.
     */
    Storage maxPool2d(Storage x, Window2d window, int[] argmax);

    /** The input gradient of {@link #maxPool2d}: each output gradient added to the input cell its argmax names. */
    Storage maxPool2dBackward(Storage gradOutput, int[] argmax, Window2d window);

    /** Mean over the input cells of each window, padding excluded from both sum and count. */
    Storage avgPool2d(Storage x, Window2d window);

    /** The input gradient of {@link #avgPool2d}: each output gradient shared equally among its window's input cells. */
    Storage avgPool2dBackward(Storage gradOutput, Window2d window);

    /**
     * The uniform grid of {@code channels} ranges {@code [min[c], max[c]]}: {@link UniformRange#adjust} (iterated to
     * its fixed point), then {@link AffineGrid#uniformAdjusted}'s step and zero point, returned as one storage
     * {@code [step..., zeroPoint...]} of {@code 2 * channels} floats, for the uniform trainable quantizers' forward.
     *
     * <p>This default reads the ranges to the host, checks them as the CPU always has (an
     * {@link IllegalArgumentException} for a range that is not finite, has {@code min >= max}, or whose step
     * underflows) and writes the grid back; a device backend overrides it with a kernel, so that a training step
     * needs no host round trip, and cannot raise those errors without one: its grid of such a range is whatever the
     * same float arithmetic gives (NaN for a collapsed range at zero).
     */
    default Storage uniformGrid(Storage min, Storage max, int channels, int bits) {
        float[] lo = toHost(min);
        float[] hi = toHost(max);
        QuantizerChecks.requireRanges(lo, hi, true);
        if (lo.length != channels) {
            throw new IllegalArgumentException("Expected " + channels + " ranges, got " + lo.length);
        }
        float[][] adjusted = UniformRange.adjustAll(lo, hi, bits);
        AffineGrid grid = AffineGrid.uniformAdjusted(adjusted[0], adjusted[1], bits);
        float[] out = new float[2 * channels];
        for (int c = 0; c < channels; c++) {
            out[c] = grid.step(c);
            out[channels + c] = grid.zeroPoint(c);
        }
        return fromHost(out);
    }

    /**
     * Whether this backend runs the trainable quantizers fused ({@link #fusedQuantize} and
     * {@link #fusedQuantizeBackward}). False by default: the quantizers then compose element-wise tensor ops, which
     * is what the CPU has always run and keeps its results bit for bit.
     */
    default boolean supportsFusedQuantizers() {
        return false;
    }

    /**
     * The forward of trainable quantizer {@code q} on {@code x} seen as {@code layout}, with its parameters (the
     * threshold, or min and max; {@code layout.channels()} floats each) on this device: the grid derived from the
     * parameters on the device, then the fake quantization, bit for bit the composed ops' values.
     */
    default Storage fusedQuantize(FusedQuantizer q, Storage x, ChannelLayout layout, Storage[] parameters) {
        throw new UnsupportedOperationException(device() + " has no fused quantizer kernels "
                + "(supportsFusedQuantizers() is false)");
    }

    /**
     * The backward of {@link #fusedQuantize} for output gradient {@code dy}: {@code {dx, dThreshold}} or
     * {@code {dx, dMin, dMax}}, the parameter gradients per channel (null unless {@code parameterGradients}). dx
     * is bit for bit the composed autograd's; the parameter gradients agree with it within the rounding of a
     * different summation order (docs/numerics.md).
     */
    default Storage[] fusedQuantizeBackward(FusedQuantizer q, Storage x, Storage dy, ChannelLayout layout,
            Storage[] parameters, boolean parameterGradients) {
        throw new UnsupportedOperationException(device() + " has no fused quantizer kernels "
                + "(supportsFusedQuantizers() is false)");
    }

    /** Reads values to the host. */
    float[] toHost(Storage x);

    /** In place: {@code target += alpha * x} (gradient accumulation and optimizer steps). */
    void axpyInPlace(Storage target, float alpha, Storage x);

    /** In place: overwrite {@code target} with {@code source}'s values. */
    void copyInPlace(Storage target, Storage source);
}
