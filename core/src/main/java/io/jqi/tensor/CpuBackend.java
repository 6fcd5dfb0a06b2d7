package io.jqi.tensor;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.RoundingMode;

/** The CPU kernels: plain Java loops, parallel where the work pays for it, deterministic always. */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private interface FloatFn {
        float apply(float x);
    }

    private interface FloatFn2 {
        float apply(float x, float y);
    }

    private CpuBackend() {
    }

    private static float[] data(Storage s) {
        if (s instanceof CpuStorage c) {
            return c.data();
        }
        throw new IllegalArgumentException("The CPU backend got " + s.device() + " storage; move the tensor with "
                + "to(Device.CPU) first");
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Storage fromHost(float[] values) {
        return new CpuStorage(values.clone());
    }

    @Override
    public Storage zeros(int size) {
        return new CpuStorage(new float[size]);
    }

    @Override
    public Storage fakeQuantAffine(Storage x, ChannelLayout layout, Storage steps, Storage zeroPoints, float qmin,
            float qmax, RoundingMode rounding) {
        return new CpuStorage(CpuFakeQuant.affine(data(x), layout, data(steps),
                zeroPoints == null ? null : data(zeroPoints), qmin, qmax, rounding));
    }

    @Override
    public Storage[] fakeQuantAffineBackward(Storage x, Storage dy, ChannelLayout layout, Storage steps,
            Storage offsets, float qmin, float qmax, boolean clipped, boolean parameterGradients) {
        float[][] grads = CpuFakeQuant.affineBackward(data(x), data(dy), layout, data(steps),
                offsets == null ? null : data(offsets), qmin, qmax, clipped, parameterGradients);
        Storage[] out = new Storage[grads.length];
        for (int i = 0; i < grads.length; i++) {
            out[i] = grads[i] == null ? null : new CpuStorage(grads[i]);
        }
        return out;
    }

    @Override
    public Storage fakeQuantLut(Storage x, ChannelLayout layout, Storage levels, Storage thresholds,
            float multiplier, float lo, float hi, float eps) {
        return new CpuStorage(CpuFakeQuant.lut(data(x), layout, data(levels), data(thresholds), multiplier, lo, hi,
                eps));
    }

    @Override
    public Storage uniformGrid(Storage min, Storage max, int channels, int bits) {
        return new CpuStorage(CpuFakeQuant.uniformGrid(data(min), data(max), channels, bits));
    }

    @Override
    public Storage[] channelMoments(Storage x, int outer, int channels, int inner) {
        float[][] m = CpuNormalization.moments(data(x), outer, channels, inner);
        return new Storage[] {new CpuStorage(m[0]), new CpuStorage(m[1])};
    }

    @Override
    public Storage normalizeChannels(Storage x, int outer, int channels, int inner, Storage shift, Storage scale,
            Storage bias) {
        return new CpuStorage(CpuNormalization.normalize(data(x), outer, channels, inner, data(shift), data(scale),
                bias == null ? null : data(bias)));
    }

    @Override
    public Storage[] batchNormBackward(Storage x, Storage dy, int outer, int channels, int inner, Storage mean,
            Storage invStd, Storage weight) {
        float[][] g = CpuNormalization.backward(data(x), data(dy), outer, channels, inner, data(mean), data(invStd),
                weight == null ? null : data(weight));
        return new Storage[] {new CpuStorage(g[0]), new CpuStorage(g[1]), new CpuStorage(g[2])};
    }

    @Override
    public float[] toHost(Storage x) {
        return data(x).clone();
    }

    @Override
    public Storage map(UnaryOp op, Storage x, float a, float b) {
        float[] in = data(x);
        float[] out = new float[in.length];
        FloatFn f = unary(op, a, b);
        Parallel.forRange(in.length, 4, (from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = f.apply(in[i]);
            }
        });
        return new CpuStorage(out);
    }

    private static FloatFn unary(UnaryOp op, float a, float b) {
        return switch (op) {
            case NEG -> x -> -x;
            case EXP -> x -> (float) Math.exp(x);
            case LOG -> x -> (float) Math.log(x);
            case SQRT -> x -> (float) Math.sqrt(x);
            case ABS -> Math::abs;
            case SIGN -> Math::signum;
            case RECIPROCAL -> x -> 1f / x;
            case ROUND -> x -> (float) Math.rint(x);
            case FLOOR -> x -> (float) Math.floor(x);
            case RELU -> x -> x > 0f ? x : 0f;
            case CLAMP -> x -> Math.min(Math.max(x, a), b);
            case LEAKY_RELU -> x -> x > 0f ? x : a * x;
            case SIGMOID -> x -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case TANH -> x -> (float) Math.tanh(x);
            case HARDSWISH -> x -> x * Math.min(Math.max(x + 3f, 0f), 6f) / 6f;
            case SILU -> x -> (float) (x / (1.0 + Math.exp(-x)));
            case AFFINE -> x -> a * x + b;
            case INSIDE -> x -> x >= a && x <= b ? 1f : 0f;
            case POSITIVE -> x -> x > 0f ? 1f : 0f;
            case HARDSWISH_GRAD -> x -> x < -3f ? 0f : x > 3f ? 1f : (2f * x + 3f) / 6f;
            case POW -> x -> (float) Math.pow(x, a);
            case CEIL_POW2 -> CpuBackend::ceilPowerOfTwo;
            case DIVIDE -> x -> x / a;
            case ERF -> x -> (float) Erf.erf(x);
        };
    }

    /** As {@code io.jqi.grid.PowerOfTwo.roundUp}, with NaN and infinity in place of its exceptions. */
    private static float ceilPowerOfTwo(float x) {
        if (!(x > 0f)) {
            return Float.NaN;
        }
        if (Float.isInfinite(x)) {
            return x;
        }
        double d = x;
        int e = Math.getExponent(d);
        double p = Math.scalb(1.0, e);
        return (float) (d == p ? p : Math.scalb(1.0, e + 1));
    }

    private static FloatFn2 binary(BinaryOp op) {
        return switch (op) {
            case ADD -> (x, y) -> x + y;
            case SUB -> (x, y) -> x - y;
            case MUL -> (x, y) -> x * y;
            case DIV -> (x, y) -> x / y;
            case EQ -> (x, y) -> x == y ? 1f : 0f;
            case GT -> (x, y) -> x > y ? 1f : 0f;
            case MAX -> Math::max;
            case MIN -> Math::min;
        };
    }

    @Override
    public Storage zip(BinaryOp op, Storage a, Shape aShape, Storage b, Shape bShape, Shape outShape) {
        float[] x = data(a);
        float[] y = data(b);
        float[] out = new float[outShape.numel()];
        FloatFn2 f = binary(op);
        if (aShape.equals(outShape) && bShape.equals(outShape)) {
            Parallel.forRange(out.length, 2, (from, to) -> {
                for (int i = from; i < to; i++) {
                    out[i] = f.apply(x[i], y[i]);
                }
            });
        } else if (aShape.equals(outShape) && y.length == 1) {
            float s = y[0];
            Parallel.forRange(out.length, 2, (from, to) -> {
                for (int i = from; i < to; i++) {
                    out[i] = f.apply(x[i], s);
                }
            });
        } else {
            int[] as = aShape.broadcastStrides(outShape);
            int[] bs = bShape.broadcastStrides(outShape);
            int[] dims = outShape.toArray();
            Parallel.forRange(out.length, 8, (from, to) -> {
                int[] idx = unravel(from, dims);
                int ai = dot(idx, as);
                int bi = dot(idx, bs);
                for (int i = from; i < to; i++) {
                    out[i] = f.apply(x[ai], y[bi]);
                    for (int d = dims.length - 1; d >= 0; d--) {
                        idx[d]++;
                        ai += as[d];
                        bi += bs[d];
                        if (idx[d] < dims[d]) {
                            break;
                        }
                        ai -= as[d] * dims[d];
                        bi -= bs[d] * dims[d];
                        idx[d] = 0;
                    }
                }
            });
        }
        return new CpuStorage(out);
    }

    @Override
    public Storage sumTo(Storage x, Shape xShape, Shape outShape) {
        float[] in = data(x);
        int[] dims = xShape.toArray();
        int[] os = outShape.broadcastStrides(xShape);
        double[] acc = new double[outShape.numel()];
        if (acc.length == 1) {
            double s = 0;
            for (float v : in) {
                s += v;
            }
            acc[0] = s;
        } else {
            int[] idx = new int[dims.length];
            int oi = 0;
            for (float v : in) {
                acc[oi] += v;
                for (int d = dims.length - 1; d >= 0; d--) {
                    idx[d]++;
                    oi += os[d];
                    if (idx[d] < dims[d]) {
                        break;
                    }
                    oi -= os[d] * dims[d];
                    idx[d] = 0;
                }
            }
        }
        float[] out = new float[acc.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) acc[i];
        }
        return new CpuStorage(out);
    }

    @Override
    public Storage maxLastAxis(Storage x, int rows, int cols, int[] argmax) {
        float[] in = data(x);
        float[] out = new float[rows];
        Parallel.forRange(rows, cols, (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * cols;
                int best = 0;
                for (int c = 1; c < cols; c++) {
                    if (in[base + c] > in[base + best] || Float.isNaN(in[base + c]) && !Float.isNaN(in[base + best])) {
                        best = c;
                    }
                }
                out[r] = in[base + best];
                if (argmax != null) {
                    argmax[r] = best;
                }
            }
        });
        return new CpuStorage(out);
    }

    @Override
    public Storage matmul(Storage a, Storage b, int batch, int m, int k, int n, boolean transposeA,
            boolean transposeB, int aBatchStride, int bBatchStride) {
        return new CpuStorage(CpuGemm.multiply(data(a), data(b), batch, m, k, n, transposeA, transposeB,
                aBatchStride, bBatchStride));
    }

    @Override
    public Storage permute(Storage x, Shape xShape, int[] permutation) {
        float[] in = data(x);
        int[] dims = xShape.toArray();
        int rank = dims.length;
        int[] inStrides = xShape.strides();
        int[] outDims = new int[rank];
        int[] srcStrides = new int[rank];
        for (int d = 0; d < rank; d++) {
            outDims[d] = dims[permutation[d]];
            srcStrides[d] = inStrides[permutation[d]];
        }
        float[] out = new float[in.length];
        Parallel.forRange(out.length, 4, (from, to) -> {
            int[] idx = unravel(from, outDims);
            int src = dot(idx, srcStrides);
            for (int i = from; i < to; i++) {
                out[i] = in[src];
                for (int d = rank - 1; d >= 0; d--) {
                    idx[d]++;
                    src += srcStrides[d];
                    if (idx[d] < outDims[d]) {
                        break;
                    }
                    src -= srcStrides[d] * outDims[d];
                    idx[d] = 0;
                }
            }
        });
        return new CpuStorage(out);
    }

    @Override
    public Storage concat(Storage[] parts, Shape[] shapes, int axis, Shape outShape) {
        float[] out = new float[outShape.numel()];
        int outer = outShape.sizeBefore(axis);
        int outRow = outShape.numel() / Math.max(outer, 1);
        int offset = 0;
        for (int p = 0; p < parts.length; p++) {
            float[] in = data(parts[p]);
            int row = outer == 0 ? 0 : in.length / outer;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(in, o * row, out, o * outRow + offset, row);
            }
            offset += row;
        }
        return new CpuStorage(out);
    }

    @Override
    public Storage narrow(Storage x, Shape xShape, int axis, int start, int length) {
        float[] in = data(x);
        int outer = xShape.sizeBefore(axis);
        int inner = xShape.sizeAfter(axis);
        int inRow = xShape.dim(axis) * inner;
        int outRow = length * inner;
        float[] out = new float[outer * outRow];
        for (int o = 0; o < outer; o++) {
            System.arraycopy(in, o * inRow + start * inner, out, o * outRow, outRow);
        }
        return new CpuStorage(out);
    }

    @Override
    public Storage im2col(Storage x, Window2d window) {
        return new CpuStorage(CpuWindows.im2col(data(x), window));
    }

    @Override
    public Storage col2im(Storage columns, Window2d window) {
        return new CpuStorage(CpuWindows.col2im(data(columns), window));
    }

    @Override
    public Storage maxPool2d(Storage x, Window2d window, int[] argmax) {
        return new CpuStorage(CpuWindows.maxPool(data(x), window, argmax));
    }

    @Override
    public Storage maxPool2dBackward(Storage gradOutput, int[] argmax, Window2d window) {
        return new CpuStorage(CpuWindows.maxPoolBackward(data(gradOutput), argmax, window));
    }

    @Override
    public Storage avgPool2d(Storage x, Window2d window) {
        return new CpuStorage(CpuWindows.avgPool(data(x), window));
    }

    @Override
    public Storage avgPool2dBackward(Storage gradOutput, Window2d window) {
        return new CpuStorage(CpuWindows.avgPoolBackward(data(gradOutput), window));
    }

    @Override
    public void axpyInPlace(Storage target, float alpha, Storage x) {
        float[] t = data(target);
        float[] in = data(x);
        Parallel.forRange(t.length, 2, (from, to) -> {
            for (int i = from; i < to; i++) {
                t[i] += alpha * in[i];
            }
        });
    }

    @Override
    public void copyInPlace(Storage target, Storage source) {
        System.arraycopy(data(source), 0, data(target), 0, target.size());
    }

    private static int[] unravel(int flat, int[] dims) {
        int[] idx = new int[dims.length];
        for (int d = dims.length - 1; d >= 0; d--) {
            if (dims[d] > 0) {
                idx[d] = flat % dims[d];
                flat /= dims[d];
            }
        }
        return idx;
    }

    private static int dot(int[] idx, int[] strides) {
        int s = 0;
        for (int d = 0; d < idx.length; d++) {
            s += idx[d] * strides[d];
        }
        return s;
    }
}
