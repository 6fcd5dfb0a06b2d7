package io.jqi.onnx;

import io.jqi.nn.Add;
import io.jqi.nn.BatchNorm;
import io.jqi.nn.BinaryLayer;
import io.jqi.nn.Clip;
import io.jqi.nn.CoercedSoftmax;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dropout;
import io.jqi.nn.GlobalAvgPool2D;
import io.jqi.nn.Hardswish;
import io.jqi.nn.Identity;
import io.jqi.nn.LeakyReLU;
import io.jqi.nn.MatMul;
import io.jqi.nn.Module;
import io.jqi.nn.Pool2D;
import io.jqi.nn.QuantizeDequantize;
import io.jqi.nn.ReLU;
import io.jqi.nn.ReLU6;
import io.jqi.nn.Sigmoid;
import io.jqi.nn.Softmax;
import io.jqi.nn.Tanh;
import java.util.List;

/**
 * The static shapes of computed values, as far as the importer can tell without running anything: from the graph
 * inputs' declared shapes through the layers that keep or compute them arithmetically (activations, element-wise ops,
 * convolution and pooling). A dimension is -1 when unknown (a symbolic batch size); a whole shape is null when not
 * tracked. {@code auto_pad SAME} with strides above 1 needs the input's spatial size, which this supplies.
 */
final class StaticShapes {
    private StaticShapes() {
    }

    /** The output shape of {@code layer} applied to inputs of these shapes (null entries: unknown), or null. */
    static long[] of(Module layer, List<long[]> inputs) {
        if (inputs.isEmpty() || inputs.get(0) == null) {
            return null;
        }
        long[] x = inputs.get(0);
        if (layer instanceof ReLU || layer instanceof ReLU6 || layer instanceof Sigmoid || layer instanceof Tanh
                || layer instanceof Hardswish || layer instanceof LeakyReLU || layer instanceof Identity
                || layer instanceof Dropout || layer instanceof Clip || layer instanceof Softmax
                || layer instanceof CoercedSoftmax || layer instanceof BatchNorm
                || layer instanceof QuantizeDequantize) {
            return x.clone();
        }
        if (layer instanceof Add || (layer instanceof BinaryLayer && !(layer instanceof MatMul))) {
            long[] out = x;
            if (layer instanceof BinaryLayer b2 && b2.hasConstant()) {
                int[] c = b2.constant().shape().toArray();
                long[] dims = new long[c.length];
                for (int i = 0; i < c.length; i++) {
                    dims[i] = c[i];
                }
                return broadcast(out, dims);
            }
            for (int i = 1; i < inputs.size(); i++) {
                if (inputs.get(i) == null) {
                    return null;
                }
                out = broadcast(out, inputs.get(i));
            }
            return out;
        }
        if (x.length != 4) {
            return null;
        }
        if (layer instanceof GlobalAvgPool2D) {
            return new long[] {x[0], x[1], 1, 1};
        }
        if (layer instanceof Conv2D conv) {
            return new long[] {x[0], conv.outChannels(),
                    spatial(x[2], conv.kernel()[0], conv.stride()[0], conv.padding()[0], conv.dilation()[0]),
                    spatial(x[3], conv.kernel()[1], conv.stride()[1], conv.padding()[1], conv.dilation()[1])};
        }
        if (layer instanceof Pool2D pool) {
            return new long[] {x[0], x[1],
                    spatial(x[2], pool.kernel()[0], pool.stride()[0], pool.padding()[0], 1),
                    spatial(x[3], pool.kernel()[1], pool.stride()[1], pool.padding()[1], 1)};
        }
        return null;
    }

    /** A window's output length, floor((in + 2 pad - dilation (k - 1) - 1) / stride) + 1; -1 when unknown. */
    static long spatial(long in, int kernel, int stride, int pad, int dilation) {
        if (in < 0) {
            return -1;
        }
        long span = in + 2L * pad - (long) dilation * (kernel - 1) - 1;
        return span < 0 ? -1 : span / stride + 1;
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
