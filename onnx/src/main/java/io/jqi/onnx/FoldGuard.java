package io.jqi.onnx;

import io.jqi.onnx.proto.OnnxTensor;
import java.util.List;
import java.util.Set;

/**
 * Which nodes of constants the importer computes at import, and how large a result it allows: a hostile file of a
 * few kilobytes must not make it allocate gigabytes (two constant vectors broadcast against each other, or
 * multiplied as an outer product). Shape ops and activations never grow their input; element-wise ops, MatMul and Gemm
 * are bounded from their operands' dimensions before anything runs; convolution, pooling and normalization of
 * constants are not computed at all (no real model has them).
 */
final class FoldGuard {
    /** The most elements one computed constant may have (64 MiB of floats). */
    static final long MAX_ELEMENTS = 1L << 24;

    private static final Set<String> SIZE_PRESERVING = Set.of("Identity", "Reshape", "Transpose", "Flatten", "Dropout",
            "Clip", "Relu", "Sigmoid", "Tanh", "LeakyRelu", "HardSwish", "HardSigmoid", "Softmax", "Concat", "Erf",
            "Sqrt", "Pow", "ReduceMean");

    private FoldGuard() {
    }

    /** Refuses to compute {@code c}'s node from {@code inputs} when it is not foldable or its result may be too large. */
    static void check(NodeContext c, List<OnnxTensor> inputs) {
        String op = c.node.opType();
        long bound;
        if (SIZE_PRESERVING.contains(op)) {
            bound = 0;
            for (OnnxTensor t : inputs) {
                bound += t.numel();
            }
        } else if (Set.of("Add", "Sub", "Mul", "Div").contains(op) && inputs.size() == 2) {
            bound = broadcastNumel(inputs.get(0).dims(), inputs.get(1).dims());
        } else if ((op.equals("MatMul") || op.equals("Gemm")) && inputs.size() >= 1) {
            // Rows of A times columns of B bounds every output (batched or not).
            OnnxTensor a = inputs.get(0);
            bound = inputs.size() < 2 ? a.numel() : outerBound(a, inputs.get(1));
        } else {
            throw c.fail("all its inputs are constants, and jqi computes " + op + " of constants only at run time, "
                    + "which a graph without a computed input cannot do; fold it in the exporter (e.g. onnx-simplifier)");
        }
        if (bound > MAX_ELEMENTS) {
            throw c.fail("computing it from its constant inputs would make up to " + bound + " elements, over the "
                    + "limit of " + MAX_ELEMENTS);
        }
    }

    private static long broadcastNumel(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long n = 1;
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            n = saturatingMultiply(n, Math.max(da, db));
        }
        return n;
    }

    private static long outerBound(OnnxTensor a, OnnxTensor b) {
        long ka = a.dims().length == 0 ? 1 : Math.max(1, a.dims()[a.dims().length - 1]);
        long rows = a.numel() / ka;
        long kb = b.dims().length == 0 ? 1 : Math.max(1, b.dims()[Math.max(0, b.dims().length - 2)]);
        long cols = b.numel() / kb;
        return saturatingMultiply(Math.max(rows, 1), Math.max(cols, 1));
    }

    private static long saturatingMultiply(long x, long y) {
        long r = x * y;
        return (x != 0 && (r / x != y || r < 0)) ? Long.MAX_VALUE : r;
    }
}
