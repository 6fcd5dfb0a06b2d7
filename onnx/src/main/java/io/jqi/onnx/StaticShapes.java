package io.jqi.onnx;

import io.jqi.nn.Add;
import io.jqi.nn.AddConstant;
import io.jqi.nn.AvgPool2D;
import io.jqi.nn.BatchNorm;
import io.jqi.nn.BinaryLayer;
import io.jqi.nn.Clip;
import io.jqi.nn.CoercedSoftmax;
import io.jqi.nn.Concat;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Div;
import io.jqi.nn.Dropout;
import io.jqi.nn.Erf;
import io.jqi.nn.Flatten;
import io.jqi.nn.GlobalAvgPool2D;
import io.jqi.nn.HardSigmoid;
import io.jqi.nn.Hardswish;
import io.jqi.nn.Identity;
import io.jqi.nn.LayerNorm;
import io.jqi.nn.LeakyReLU;
import io.jqi.nn.MatrixFlatten;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.Mean;
import io.jqi.nn.Module;
import io.jqi.nn.Mul;
import io.jqi.nn.Pad;
import io.jqi.nn.Pool2D;
import io.jqi.nn.Pow;
import io.jqi.nn.QuantizeDequantize;
import io.jqi.nn.ReLU;
import io.jqi.nn.ReLU6;
import io.jqi.nn.Reshape;
import io.jqi.nn.Sigmoid;
import io.jqi.nn.Slice;
import io.jqi.nn.Softmax;
import io.jqi.nn.Sqrt;
import io.jqi.nn.Sub;
import io.jqi.nn.Tanh;
import io.jqi.nn.Transpose;
import io.jqi.tensor.Window2d;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongBiFunction;

/**
 * The static shapes of computed values, as far as the importer can tell without running anything: from the graph
 * inputs' declared shapes through the layers that keep or compute them arithmetically (activations, element-wise ops,
 * convolution and pooling). A dimension is -1 when unknown (a symbolic batch size); a whole shape is null when not
 * tracked. {@code auto_pad SAME} with strides above 1 needs the input's spatial size, which this supplies.
 *
 * <p>Each tracked layer type has one rule in the table, of a few kinds: the input's shape, the inputs broadcast
 * together, a sliding window over NCHW (convolution, pooling), a global pool. A type without a rule is not tracked.
 */
final class StaticShapes {
    /** The output shape of a layer for its inputs' shapes (the first one known), or null when it cannot tell. */
    @FunctionalInterface
    private interface ShapeRule<M extends Module> {
        long[] apply(M layer, List<long[]> inputs);
    }

    /** The input's shape. */
    private static final ShapeRule<Module> SAME = (layer, inputs) -> inputs.get(0).clone();
    /** Every input's shape broadcast together. */
    private static final ShapeRule<Module> BROADCAST = (layer, inputs) -> broadcast(inputs);
    /** The inputs broadcast, or the input broadcast with the layer's constant. */
    private static final ShapeRule<BinaryLayer> ELEMENTWISE = StaticShapes::elementwise;
    /** {@code [N, C, 1, 1]} of an NCHW input. */
    private static final ShapeRule<Module> GLOBAL_POOL = nchw((layer, inputs) -> new long[] {inputs.get(0)[0],
            inputs.get(0)[1], 1, 1});

    private static final Map<Class<? extends Module>, ShapeRule<Module>> RULES = new HashMap<>();

    static {
        put(ReLU.class, SAME);
        put(ReLU6.class, SAME);
        put(Sigmoid.class, SAME);
        put(Tanh.class, SAME);
        put(Hardswish.class, SAME);
        put(LeakyReLU.class, SAME);
        put(HardSigmoid.class, SAME);
        put(Erf.class, SAME);
        put(Sqrt.class, SAME);
        put(Pow.class, SAME);
        put(Identity.class, SAME);
        put(Dropout.class, SAME);
        put(Clip.class, SAME);
        put(Softmax.class, SAME);
        put(CoercedSoftmax.class, SAME);
        put(BatchNorm.class, SAME);
        put(LayerNorm.class, SAME);
        put(QuantizeDequantize.class, SAME);
        put(Add.class, BROADCAST);
        put(Sub.class, ELEMENTWISE);
        put(Mul.class, ELEMENTWISE);
        put(Div.class, ELEMENTWISE);
        put(AddConstant.class, ELEMENTWISE);
        put(Conv2D.class, window((conv, x) -> conv.outChannels(), conv -> new Window(conv.kernel(), conv.stride(),
                conv.padding(), conv.dilation(), false)));
        put(MaxPool2D.class, window((pool, x) -> x[1], StaticShapes::poolWindow));
        put(AvgPool2D.class, window((pool, x) -> x[1], StaticShapes::poolWindow));
        put(GlobalAvgPool2D.class, GLOBAL_POOL);
        put(Mean.class, StaticShapes::mean);
        put(Pad.class, StaticShapes::pad);
        put(Slice.class, StaticShapes::slice);
        put(Reshape.class, StaticShapes::reshape);
        put(Transpose.class, StaticShapes::transpose);
        put(Concat.class, StaticShapes::concat);
        put(Flatten.class, (f, inputs) -> flatten(inputs.get(0), f.startAxis(), true));
        put(MatrixFlatten.class, (f, inputs) -> flatten(inputs.get(0), f.axis(), false));
    }

    private StaticShapes() {
    }

    private static <M extends Module> void put(Class<M> type, ShapeRule<? super M> rule) {
        RULES.put(type, (layer, inputs) -> rule.apply(type.cast(layer), inputs));
    }

    /** The output shape of {@code layer} applied to inputs of these shapes (null entries: unknown), or null. */
    static long[] of(Module layer, List<long[]> inputs) {
        ShapeRule<Module> rule = RULES.get(layer.getClass());
        if (rule == null || inputs.isEmpty() || inputs.get(0) == null) {
            return null;
        }
        return rule.apply(layer, inputs);
    }

    /**
     * The target shape, its 0 entries copied from the input (unless allowZero) and a -1 inferred. An unknown batch
     * (the input's first axis) copied to the first entry stays unknown, and the -1 is inferred from the other axes.
     */
    private static long[] reshape(Reshape layer, List<long[]> inputs) {
        long[] x = inputs.get(0);
        int[] target = layer.shape();
        boolean batchCopied = !layer.allowZero() && target.length > 0 && target[0] == 0 && x.length > 0 && x[0] < 0;
        long[] out = new long[target.length];
        long known = 1;
        int inferred = -1;
        for (int i = 0; i < target.length; i++) {
            if (i == 0 && batchCopied) {
                out[0] = -1;
                continue;
            }
            if (target[i] == 0 && !layer.allowZero()) {
                if (i >= x.length || x[i] < 0) {
                    return null;
                }
                out[i] = x[i];
            } else if (target[i] == -1) {
                inferred = i;
                continue;
            } else {
                out[i] = target[i];
            }
            known *= out[i];
        }
        if (inferred >= 0) {
            long total = 1;
            for (int d = batchCopied ? 1 : 0; d < x.length; d++) {
                if (x[d] < 0) {
                    return null;
                }
                total *= x[d];
            }
            if (known == 0 || total % known != 0) {
                return null;
            }
            out[inferred] = total / known;
        }
        return out;
    }

    /** The input's dims in the permuted order (reversed for an empty permutation). */
    private static long[] transpose(Transpose layer, List<long[]> inputs) {
        long[] x = inputs.get(0);
        int[] perm = layer.perm();
        if (perm.length != 0 && perm.length != x.length) {
            return null;
        }
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[perm.length == 0 ? x.length - 1 - i : perm[i]];
        }
        return out;
    }

    /** The inputs' shapes joined along the axis; null when one is unknown. */
    private static long[] concat(Concat layer, List<long[]> inputs) {
        long[] out = inputs.get(0).clone();
        int axis = layer.axis() < 0 ? layer.axis() + out.length : layer.axis();
        if (axis < 0 || axis >= out.length) {
            return null;
        }
        for (int i = 1; i < inputs.size(); i++) {
            long[] in = inputs.get(i);
            if (in == null || in.length != out.length || in[axis] < 0 || out[axis] < 0) {
                return null;
            }
            out[axis] += in[axis];
        }
        return out;
    }

    /**
     * {@code [d0, ..., d(axis-1), rest]} when {@code keepLeading} (Flatten: the leading axes stay), else ONNX's
     * {@code [d0 * ... * d(axis-1), rest]} (MatrixFlatten).
     */
    private static long[] flatten(long[] x, int axis, boolean keepLeading) {
        if (axis < 0 || axis > x.length || Arrays.stream(x).anyMatch(d -> d < 0)) {
            return null;
        }
        long rest = 1;
        for (int d = axis; d < x.length; d++) {
            rest *= x[d];
        }
        if (keepLeading) {
            long[] out = Arrays.copyOf(x, axis + 1);
            out[axis] = rest;
            return out;
        }
        long lead = 1;
        for (int d = 0; d < axis; d++) {
            lead *= x[d];
        }
        return new long[] {lead, rest};
    }

    /** The input's shape with each sliced axis as long as its slice. */
    private static long[] slice(Slice layer, List<long[]> inputs) {
        long[] out = inputs.get(0).clone();
        int[] axes = layer.axes();
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] >= out.length) {
                return null;
            }
            out[axes[i]] = layer.lengths()[i];
        }
        return out;
    }

    /** The input's shape grown (or cropped) by the pads. */
    private static long[] pad(Pad layer, List<long[]> inputs) {
        long[] x = inputs.get(0);
        int[] pads = layer.pads();
        if (pads.length != 2 * x.length) {
            return null;
        }
        long[] out = new long[x.length];
        for (int d = 0; d < x.length; d++) {
            out[d] = x[d] < 0 ? -1 : x[d] + pads[d] + pads[d + x.length];
        }
        return out;
    }

    /** The input's shape with the averaged axes set to 1 or dropped. */
    private static long[] mean(Mean layer, List<long[]> inputs) {
        long[] x = inputs.get(0);
        int[] axes = layer.axes();
        boolean[] reduced = new boolean[x.length];
        if (axes.length == 0) {
            Arrays.fill(reduced, true);
        }
        for (int axis : axes) {
            if (axis < -x.length || axis >= x.length) {
                return null;
            }
            reduced[axis < 0 ? axis + x.length : axis] = true;
        }
        long[] out = new long[x.length];
        int n = 0;
        for (int d = 0; d < x.length; d++) {
            if (!reduced[d]) {
                out[n++] = x[d];
            } else if (layer.keepDims()) {
                out[n++] = 1;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Null when one of the shapes is unknown. */
    private static long[] broadcast(List<long[]> inputs) {
        long[] out = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) {
            if (inputs.get(i) == null) {
                return null;
            }
            out = broadcast(out, inputs.get(i));
        }
        return out;
    }

    private static long[] elementwise(BinaryLayer layer, List<long[]> inputs) {
        if (!layer.hasConstant()) {
            return broadcast(inputs);
        }
        int[] c = layer.constant().shape().toArray();
        long[] dims = new long[c.length];
        for (int i = 0; i < c.length; i++) {
            dims[i] = c[i];
        }
        return broadcast(inputs.get(0), dims);
    }

    /** A rule for NCHW inputs only: other ranks are not tracked. */
    private static <M extends Module> ShapeRule<M> nchw(ShapeRule<M> rule) {
        return (layer, inputs) -> inputs.get(0).length == 4 ? rule.apply(layer, inputs) : null;
    }

    /** A 2-D sliding window's geometry, {h, w} pairs. */
    private record Window(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
    }

    /** {@code [N, channels, H', W']} with H' and W' from {@link #spatial}. */
    private static <M extends Module> ShapeRule<M> window(ToLongBiFunction<M, long[]> channels,
            Function<M, Window> windowOf) {
        return nchw((layer, inputs) -> {
            long[] x = inputs.get(0);
            Window w = windowOf.apply(layer);
            return new long[] {x[0], channels.applyAsLong(layer, x),
                    spatial(x[2], w, 0), spatial(x[3], w, 1)};
        });
    }

    /** Pooling windows are not dilated. */
    private static Window poolWindow(Pool2D pool) {
        return new Window(pool.kernel(), pool.stride(), pool.padding(), new int[] {1, 1}, pool.ceilMode());
    }

    /** A window's output length along spatial axis {@code i} ({@link Window2d#outExtent}); -1 when unknown. */
    private static long spatial(long in, Window w, int i) {
        if (in < 0 || in > Integer.MAX_VALUE) {
            return -1;
        }
        int out = Window2d.outExtent((int) in, w.kernel()[i], w.stride()[i], w.padding()[i], w.dilation()[i],
                w.ceilMode());
        return out < 1 ? -1 : out;
    }

    private static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            out[i] = da == 1 ? db : db == 1 ? da : da == db ? da : -1;
        }
        return out;
    }
}
