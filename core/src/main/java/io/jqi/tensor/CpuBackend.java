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

    private static final int ONE_BITS = Float.floatToRawIntBits(1f);
    /**
     * Shortest run of a reduction into one element that {@link #sumTo} spreads over the threads, each of which walks
     * every run: short runs would not repay the walk.
     */
    private static final int PARALLEL_RUN = 64;

    @Override
    public Storage map(UnaryOp op, Storage x, float a, float b) {
        float[] in = data(x);
        float[] out = new float[in.length];
        FloatFn f = unary(op, a, b);
        Parallel.forRange(in.length, 4, (from, to) -> {
            // The frequent operations get loops of their own: one shared loop calling f sees many functions,
            // and C2 then neither inlines nor vectorizes it. Their selects pick int bits, which C2 compiles to a
            // conditional move; a float select becomes a branch, mispredicted on about half of real activations.
            switch (op) {
                case RELU -> {
                    if (VectorApi.ENABLED) {
                        VectorRelu.forward(in, out, from, to);
                        return;
                    }
                    for (int i = from; i < to; i++) {
                        out[i] = Float.intBitsToFloat(in[i] > 0f ? Float.floatToRawIntBits(in[i]) : 0);
                    }
                }
                case POSITIVE -> {
                    for (int i = from; i < to; i++) {
                        out[i] = Float.intBitsToFloat(in[i] > 0f ? ONE_BITS : 0);
                    }
                }
                case NEG -> {
                    for (int i = from; i < to; i++) {
                        out[i] = -in[i];
                    }
                }
                case CLAMP -> {
                    for (int i = from; i < to; i++) {
                        out[i] = Math.min(Math.max(in[i], a), b);
                    }
                }
                case INSIDE -> {
                    for (int i = from; i < to; i++) {
                        out[i] = Float.intBitsToFloat(in[i] >= a & in[i] <= b ? ONE_BITS : 0);
                    }
                }
                case AFFINE -> {
                    for (int i = from; i < to; i++) {
                        out[i] = a * in[i] + b;
                    }
                }
                default -> {
                    for (int i = from; i < to; i++) {
                        out[i] = f.apply(in[i]);
                    }
                }
            }
        });
        return new CpuStorage(out);
    }

    /** One pass instead of a mask and a product: the product's bits, {@code dy * 1} or {@code dy * 0}. */
    @Override
    public Storage reluGradient(Storage dy, Storage y, Shape shape) {
        float[] g = data(dy);
        float[] v = data(y);
        float[] out = new float[g.length];
        Parallel.forRange(g.length, 2, (from, to) -> {
            if (VectorApi.ENABLED) {
                VectorRelu.gradient(g, v, out, from, to);
                return;
            }
            for (int i = from; i < to; i++) {
                out[i] = g[i] * Float.intBitsToFloat(v[i] > 0f ? ONE_BITS : 0);
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
            Parallel.forRange(out.length, 2, (from, to) -> zipRun(op, f, x, from, 1, y, from, 1, out, from,
                    to - from));
        } else if (aShape.equals(outShape) && y.length == 1) {
            Parallel.forRange(out.length, 2, (from, to) -> zipRun(op, f, x, from, 1, y, 0, 0, out, from,
                    to - from));
        } else {
            StridedRuns runs = new StridedRuns(outShape.toArray(), aShape.broadcastStrides(outShape),
                    bShape.broadcastStrides(outShape));
            int length = runs.length();
            Parallel.forRange(runs.count(), 2L * length, (from, to) -> {
                StridedRuns.Cursor c = runs.cursor(from);
                for (int r = from; r < to; r++) {
                    zipRun(op, f, x, c.offset(0), runs.step(0), y, c.offset(1), runs.step(1), out, r * length,
                            length);
                    c.next();
                }
            });
        }
        return new CpuStorage(out);
    }

    /** {@code out[o + j] = op(x[xo + j * xs], y[yo + j * ys])} for {@code j < n}; the arithmetic ops inline. */
    private static void zipRun(BinaryOp op, FloatFn2 f, float[] x, int xo, int xs, float[] y, int yo, int ys,
            float[] out, int o, int n) {
        if (xs == 1 && xo == o && (ys == 0 || ys == 1 && yo == o)
                && (op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.DIV)) {
            alignedRun(op, x, y, ys == 0 ? yo : -1, out, o, o + n);
            return;
        }
        switch (op) {
            case ADD -> {
                for (int j = 0; j < n; j++) {
                    out[o + j] = x[xo + j * xs] + y[yo + j * ys];
                }
            }
            case SUB -> {
                for (int j = 0; j < n; j++) {
                    out[o + j] = x[xo + j * xs] - y[yo + j * ys];
                }
            }
            case MUL -> {
                for (int j = 0; j < n; j++) {
                    out[o + j] = x[xo + j * xs] * y[yo + j * ys];
                }
            }
            case DIV -> {
                for (int j = 0; j < n; j++) {
                    out[o + j] = x[xo + j * xs] / y[yo + j * ys];
                }
            }
            default -> {
                for (int j = 0; j < n; j++) {
                    out[o + j] = f.apply(x[xo + j * xs], y[yo + j * ys]);
                }
            }
        }
    }

    /**
     * {@link #zipRun} of an arithmetic op where x and out share their indices and y does too ({@code yAt} -1) or is
     * the constant {@code y[yAt]} (a bias): every array indexed by the loop variable alone, which C2 needs to
     * vectorize a loop.
     */
    private static void alignedRun(BinaryOp op, float[] x, float[] y, int yAt, float[] out, int from, int to) {
        if (yAt >= 0) {
            float c = y[yAt];
            switch (op) {
                case ADD -> {
                    for (int i = from; i < to; i++) {
                        out[i] = x[i] + c;
                    }
                }
                case SUB -> {
                    for (int i = from; i < to; i++) {
                        out[i] = x[i] - c;
                    }
                }
                case MUL -> {
                    for (int i = from; i < to; i++) {
                        out[i] = x[i] * c;
                    }
                }
                default -> {
                    for (int i = from; i < to; i++) {
                        out[i] = x[i] / c;
                    }
                }
            }
            return;
        }
        switch (op) {
            case ADD -> {
                for (int i = from; i < to; i++) {
                    out[i] = x[i] + y[i];
                }
            }
            case SUB -> {
                for (int i = from; i < to; i++) {
                    out[i] = x[i] - y[i];
                }
            }
            case MUL -> {
                for (int i = from; i < to; i++) {
                    out[i] = x[i] * y[i];
                }
            }
            default -> {
                for (int i = from; i < to; i++) {
                    out[i] = x[i] / y[i];
                }
            }
        }
    }

    @Override
    public Storage sumTo(Storage x, Shape xShape, Shape outShape) {
        float[] in = data(x);
        double[] acc = new double[outShape.numel()];
        if (acc.length == 1) {
            double s = 0;
            for (float v : in) {
                s += v;
            }
            acc[0] = s;
        } else {
            // Every output element adds its inputs in storage order, one at a time, in double.
            StridedRuns runs = new StridedRuns(xShape.toArray(), outShape.broadcastStrides(xShape));
            if (runs.step(0) == 0 && runs.length() >= PARALLEL_RUN) {
                // Each run adds into one output element (a bias gradient: one plane into its channel), so each
                // thread takes a range of output elements and walks every run in order, adding the runs of its own.
                int parts = Math.min(Runtime.getRuntime().availableProcessors(), acc.length);
                Parallel.forRange(parts, (long) in.length / parts, (from, to) -> addRuns(runs, in, acc,
                        (int) ((long) acc.length * from / parts), (int) ((long) acc.length * to / parts)));
            } else {
                addRuns(runs, in, acc, 0, acc.length);
            }
        }
        float[] out = new float[acc.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) acc[i];
        }
        return new CpuStorage(out);
    }

    /**
     * Adds the runs of {@code in} into {@code acc} in storage order. A run that adds into one output element (step 0)
     * is taken only when that element is in {@code [lo, hi)}; a run spread over output elements is always taken.
     */
    private static void addRuns(StridedRuns runs, float[] in, double[] acc, int lo, int hi) {
        int length = runs.length();
        int step = runs.step(0);
        StridedRuns.Cursor c = runs.cursor(0);
        int[] outputs = new int[CHAINS];
        int[] starts = new int[CHAINS];
        int pending = 0;
        for (int r = 0; r < runs.count(); r++) {
            int o = c.offset(0);
            int i = r * length;
            if (step != 0) {
                for (int j = 0; j < length; j++) {
                    acc[o + j * step] += in[i + j];
                }
            } else if (o >= lo && o < hi) {
                // Runs into distinct elements wait to be added side by side; a run into an element already waiting
                // must follow that element's earlier run, so the waiting ones go first.
                if (pending == CHAINS || waiting(outputs, pending, o)) {
                    addSideBySide(in, acc, outputs, starts, pending, length);
                    pending = 0;
                }
                outputs[pending] = o;
                starts[pending++] = i;
            }
            c.next();
        }
        addSideBySide(in, acc, outputs, starts, pending, length);
    }

    private static boolean waiting(int[] outputs, int pending, int o) {
        for (int k = 0; k < pending; k++) {
            if (outputs[k] == o) {
                return true;
            }
        }
        return false;
    }

    /** Runs added at once by {@link #addSideBySide}. */
    private static final int CHAINS = 4;

    /**
     * Adds run {@code k}, {@code length} values from {@code in[starts[k]]}, into {@code acc[outputs[k]]}, one value
     * at a time in order, for {@code k < count}: distinct elements, so their chains of additions are independent and
     * run side by side. One chain at a time waited on each addition's latency; a bias gradient took a fifteenth of
     * the cnn training step so. Batch norm's moments ({@link CpuNormalization}) add their channels' sums with it too.
     */
    static void addSideBySide(float[] in, double[] acc, int[] outputs, int[] starts, int count, int length) {
        if (count == CHAINS) {
            double s0 = acc[outputs[0]];
            double s1 = acc[outputs[1]];
            double s2 = acc[outputs[2]];
            double s3 = acc[outputs[3]];
            int i0 = starts[0];
            int i1 = starts[1];
            int i2 = starts[2];
            int i3 = starts[3];
            for (int j = 0; j < length; j++) {
                s0 += in[i0 + j];
                s1 += in[i1 + j];
                s2 += in[i2 + j];
                s3 += in[i3 + j];
            }
            acc[outputs[0]] = s0;
            acc[outputs[1]] = s1;
            acc[outputs[2]] = s2;
            acc[outputs[3]] = s3;
            return;
        }
        for (int k = 0; k < count; k++) {
            double s = acc[outputs[k]];
            for (int j = starts[k]; j < starts[k] + length; j++) {
                s += in[j];
            }
            acc[outputs[k]] = s;
        }
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
        StridedRuns runs = new StridedRuns(outDims, srcStrides);
        int length = runs.length();
        int step = runs.step(0);
        Parallel.forRange(runs.count(), length, (from, to) -> {
            StridedRuns.Cursor c = runs.cursor(from);
            for (int r = from; r < to; r++) {
                int src = c.offset(0);
                if (step == 1) {
                    System.arraycopy(in, src, out, r * length, length);
                } else {
                    for (int j = 0; j < length; j++) {
                        out[r * length + j] = in[src + j * step];
                    }
                }
                c.next();
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
    public Storage conv2d(Storage x, Storage weight, Window2d window, int outChannels, int groups) {
        return CpuConvolution.servesForward(window, groups)
                ? new CpuStorage(CpuConvolution.forward(data(x), data(weight), window, outChannels, groups))
                : Backend.super.conv2d(x, weight, window, outChannels, groups);
    }

    @Override
    public Storage conv2dInputGrad(Storage weight, Storage gradOutput, Window2d window, int outChannels,
            int groups) {
        return CpuConvolution.imageByImage(window) || groups == 1
                ? new CpuStorage(CpuConvolution.inputGrad(data(weight), data(gradOutput), window, outChannels, groups))
                : Backend.super.conv2dInputGrad(weight, gradOutput, window, outChannels, groups);
    }

    @Override
    public Storage conv2dWeightGrad(Storage x, Storage gradOutput, Window2d window, int outChannels, int groups) {
        return CpuConvolution.imageByImage(window) || groups == 1
                ? new CpuStorage(CpuConvolution.weightGrad(data(x), data(gradOutput), window, outChannels, groups))
                : Backend.super.conv2dWeightGrad(x, gradOutput, window, outChannels, groups);
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
}
