package io.jqi.tensor;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.RoundingMode;

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

    /**
     * A ReLU's input gradient from its output: {@code dy * (y > 0 ? 1 : 0)} element by element, both of
     * {@code shape}. The default is that composition, {@link UnaryOp#POSITIVE} then a product; a backend may fuse it
     * into one pass with the same bits.
     */
    default Storage reluGradient(Storage dy, Storage y, Shape shape) {
        return zip(BinaryOp.MUL, dy, shape, map(UnaryOp.POSITIVE, y, 0f, 0f), shape, shape);
    }

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
     * The 2-D convolution of {@code x} [batch, channels, height, width] by {@code weight}
     * [outChannels, channels / groups, kernelHeight, kernelWidth], without bias: NCHW
     * [batch, outChannels, outHeight, outWidth], each output element {@code 0f} plus the products of its group's
     * weights and im2col column in ascending tap order (channel, ki, kj), every product and sum rounded to float. The
     * default is that composition: {@link #im2col}, one grouped {@link #matmul} and a {@link #permute} from
     * [outChannels, batch, ...] to NCHW; a backend may convolve differently if it keeps those bits.
     */
    default Storage conv2d(Storage x, Storage weight, Window2d window, int outChannels, int groups) {
        ConvolutionShape.requireBatchColumns(window);
        ConvolutionShape c = new ConvolutionShape(window, outChannels, groups);
        Storage product = matmul(weight, im2col(x, window), groups, c.rows(), c.taps(), c.positions(), false, false,
                c.rows() * c.taps(), c.taps() * c.positions());
        return permute(product, Shape.of(outChannels, window.batch(), c.plane()), ConvolutionShape.SWAP_OUTER);
    }

    /**
     * The input gradient of {@link #conv2d}: the transposed weights times {@code gradOutput}, per group and image,
     * summed over the group's output channels in ascending order, then folded back by {@link #col2im}. The default
     * composes those primitives (a permute of the gradient to [outChannels, batch, ...] first); a backend may fuse
     * them if it keeps their bits.
     */
    default Storage conv2dInputGrad(Storage weight, Storage gradOutput, Window2d window, int outChannels,
            int groups) {
        ConvolutionShape.requireBatchColumns(window);
        ConvolutionShape c = new ConvolutionShape(window, outChannels, groups);
        Storage g = permute(gradOutput, Shape.of(window.batch(), outChannels, c.plane()), ConvolutionShape.SWAP_OUTER);
        return col2im(matmul(weight, g, groups, c.taps(), c.rows(), c.positions(), true, false, c.rows() * c.taps(),
                c.rows() * c.positions()), window);
    }

    /**
     * The weight gradient of {@link #conv2d}: per output channel and tap, {@code 0f} plus the products of
     * {@code gradOutput} and the im2col matrix over images and output positions in ascending order (image-major),
     * every product and sum rounded to float. The default composes {@link #permute}, {@link #im2col} and
     * {@link #matmul}; a backend may split the sum image by image if it keeps its order.
     */
    default Storage conv2dWeightGrad(Storage x, Storage gradOutput, Window2d window, int outChannels, int groups) {
        ConvolutionShape.requireBatchColumns(window);
        ConvolutionShape c = new ConvolutionShape(window, outChannels, groups);
        Storage g = permute(gradOutput, Shape.of(window.batch(), outChannels, c.plane()), ConvolutionShape.SWAP_OUTER);
        return matmul(g, im2col(x, window), groups, c.rows(), c.positions(), c.taps(), false, true,
                c.rows() * c.positions(), c.taps() * c.positions());
    }

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
     * Affine fake quantization of {@code x} seen as {@code layout}: per channel c, {@code steps[c]} and
     * {@code zeroPoints[c]} (null: all 0) on the integers {@code [qmin, qmax]}, rounded as {@code rounding} says;
     * bit for bit {@link io.jqi.grid.AffineGrid}'s per-element formula (docs/quantizer-contract.md#rounding-modes).
     */
    Storage fakeQuantAffine(Storage x, ChannelLayout layout, Storage steps, Storage zeroPoints, float qmin,
            float qmax, RoundingMode rounding);

    /**
     * The straight-through backward of affine fake quantization, with the per-channel parameter gradients reduced in
     * the same pass. The differentiated expression is {@code y = s * clamp(rint((x - a) / s), qmin, qmax) + a} per
     * channel ({@code s = steps[c]}, {@code a = offsets[c]}); rint passes its gradient straight through, and so does
     * the clamp unless {@code clipped}, which zeroes dx where {@code rint((x - a) / s)} lies outside
     * {@code [qmin, qmax]}. With {@code offsets} null the expression is the zero-offset grid
     * {@code y = s * clamp(rint(x / s) + 0, qmin, qmax)}, whose added zero point turns a gradient of -0 into +0.
     * Returns {@code {dx, dSteps, dOffsets}}: dx bit for bit the element-wise chain rule in float32, dSteps and
     * dOffsets ({@code layout.channels()} each; null unless {@code parameterGradients}, dOffsets null without offsets)
     * sums over each channel whose order only the backend fixes (docs/quantizer-contract.md#ste-quantizers).
     */
    Storage[] fakeQuantAffineBackward(Storage x, Storage dy, ChannelLayout layout, Storage steps, Storage offsets,
            float qmin, float qmax, boolean clipped, boolean parameterGradients);

    /**
     * Look-up-table fake quantization of {@code x} seen as {@code layout}: {@code levels} (integer values, shared by
     * every channel), {@code thresholds[c]}, the grid's multiplier, clip bounds and eps; bit for bit
     * {@link io.jqi.grid.LutGrid}'s per-element formula (docs/quantizer-contract.md#lut-quantization).
     */
    Storage fakeQuantLut(Storage x, ChannelLayout layout, Storage levels, Storage thresholds, float multiplier,
            float lo, float hi, float eps);

    /**
     * The uniform grids of {@code channels} ranges {@code [min[c], max[c]]}: the range adjustment
     * {@link io.jqi.grid.UniformRange#adjust} (iterated to its fixed point), then
     * {@link io.jqi.grid.AffineGrid#uniformStep} and {@link io.jqi.grid.AffineGrid#uniformZeroPoint}, returned as
     * one storage {@code [step..., zeroPoint...]} of {@code 2 * channels} floats. Pure arithmetic: a range with no
     * usable grid (not finite, collapsed) gives what the float operations give (NaN), on every backend alike; the
     * quantizers that own the ranges decide what is an error (docs/quantizer-contract.md#uniform-range-adjustment).
     */
    Storage uniformGrid(Storage min, Storage max, int channels, int bits);

    /**
     * The batch statistics of {@code x} seen as {@code [outer, channels, inner]}: per channel the mean and the biased
     * variance over outer and inner, {@code {mean, var}} ({@code channels} floats each). The default composes this
     * backend's primitives exactly as {@code x.mean(axes).sub(...)...} would; a backend may fuse the passes if it
     * keeps those bits.
     */
    default Storage[] channelMoments(Storage x, int outer, int channels, int inner) {
        Shape full = Shape.of(outer, channels, inner);
        Shape perChannel = Shape.of(1, channels, 1);
        float inverseCount = 1f / ((long) outer * inner);
        Storage mean = map(UnaryOp.AFFINE, sumTo(x, full, perChannel), inverseCount, 0f);
        Storage centered = zip(BinaryOp.SUB, x, full, mean, perChannel, full);
        Storage squares = zip(BinaryOp.MUL, centered, full, centered, full, full);
        return new Storage[] {mean, map(UnaryOp.AFFINE, sumTo(squares, full, perChannel), inverseCount, 0f)};
    }

    /**
     * {@code ((x - shift[c]) * scale[c]) + bias[c]} for {@code x} seen as {@code [outer, channels, inner]}, each
     * operation rounded to float, the addition skipped when {@code bias} is null: batch normalization's affine map.
     */
    default Storage normalizeChannels(Storage x, int outer, int channels, int inner, Storage shift, Storage scale,
            Storage bias) {
        Shape full = Shape.of(outer, channels, inner);
        Shape perChannel = Shape.of(1, channels, 1);
        Storage y = zip(BinaryOp.MUL, zip(BinaryOp.SUB, x, full, shift, perChannel, full), full, scale, perChannel,
                full);
        return bias == null ? y : zip(BinaryOp.ADD, y, full, bias, perChannel, full);
    }

    /**
     * The gradient of training-mode batch normalization {@code y = (x - mean) * invStd * weight + bias} through the
     * batch statistics, for {@code x} and {@code dy} seen as {@code [outer, channels, inner]}, in closed form: with
     * {@code xhat = (x - mean) * invStd}, {@code n = outer * inner} and per-channel sums {@code sumDy} and
     * {@code sumDyXhat}, {@code dx = ((n * dy - sumDy) - xhat * sumDyXhat) * (invStd * weight / n)}. Returns
     * {@code {dx, sumDyXhat, sumDy}}, which are also the gradients of weight and bias; {@code weight} null means 1.
     */
    default Storage[] batchNormBackward(Storage x, Storage dy, int outer, int channels, int inner, Storage mean,
            Storage invStd, Storage weight) {
        Shape full = Shape.of(outer, channels, inner);
        Shape perChannel = Shape.of(1, channels, 1);
        float count = (float) ((long) outer * inner);
        Storage xhat = zip(BinaryOp.MUL, zip(BinaryOp.SUB, x, full, mean, perChannel, full), full, invStd,
                perChannel, full);
        Storage sumDy = sumTo(dy, full, perChannel);
        Storage sumDyXhat = sumTo(zip(BinaryOp.MUL, dy, full, xhat, full, full), full, perChannel);
        Storage factor = weight == null ? invStd : zip(BinaryOp.MUL, invStd, perChannel, weight, perChannel,
                perChannel);
        factor = map(UnaryOp.DIVIDE, factor, count, 0f);
        Storage centered = zip(BinaryOp.SUB, map(UnaryOp.AFFINE, dy, count, 0f), full, sumDy, perChannel, full);
        Storage dx = zip(BinaryOp.MUL, zip(BinaryOp.SUB, centered, full, zip(BinaryOp.MUL, xhat, full, sumDyXhat,
                perChannel, full), full, full), full, factor, perChannel, full);
        return new Storage[] {dx, sumDyXhat, sumDy};
    }

    /** Reads values to the host. */
    float[] toHost(Storage x);

    /** In place: {@code target += alpha * x} (gradient accumulation and optimizer steps). */
    void axpyInPlace(Storage target, float alpha, Storage x);

    /** In place: overwrite {@code target} with {@code source}'s values. */
    void copyInPlace(Storage target, Storage source);
}
