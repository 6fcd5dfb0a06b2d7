package io.jqi.tensor;

import java.util.Arrays;

/** Matrix products and their gradients. */
final class Linalg {
    private Linalg() {
    }

    static Tensor matmul(Tensor a, Tensor b) {
        Elementwise.requireSameDevice(a, b);
        if (a.rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("matmul needs tensors of rank 2 or more, got " + a.shape() + " and "
                    + b.shape() + " (reshape a vector to [1, n] or [n, 1])");
        }
        int k = a.shape().dim(-1);
        if (b.shape().dim(-2) != k) {
            throw new IllegalArgumentException("matmul of " + a.shape() + " and " + b.shape() + ": the inner dimensions "
                    + k + " and " + b.shape().dim(-2) + " differ");
        }
        int n = b.shape().dim(-1);
        int[] aDims = a.shape().toArray();
        if (b.rank() == 2) {
            // [..., m, k] @ [k, n] is one 2-D product over the stacked rows.
            int[] outDims = aDims.clone();
            outDims[outDims.length - 1] = n;
            Tensor flat = a.rank() == 2 ? a : a.reshape(-1, k);
            return product(flat.reshape(1, flat.shape().dim(0), k), b.reshape(1, k, n), false, false)
                    .reshape(outDims);
        }
        int[] batchA = Arrays.copyOf(aDims, aDims.length - 2);
        int[] batchB = Arrays.copyOf(b.shape().toArray(), b.rank() - 2);
        if (!Arrays.equals(batchA, batchB)) {
            throw new IllegalArgumentException("batched matmul needs equal batch dimensions, got " + a.shape() + " and "
                    + b.shape());
        }
        int m = a.shape().dim(-2);
        int batch = a.numel() / (m * k);
        int[] outDims = aDims.clone();
        outDims[outDims.length - 1] = n;
        return product(a.reshape(batch, m, k), b.reshape(batch, k, n), false, false).reshape(outDims);
    }

    /** {@code op(A) @ op(B)} for rank-3 {@code [batch, rows, cols]} operands. */
    static Tensor product(Tensor a, Tensor b, boolean ta, boolean tb) {
        int batch = a.shape().dim(0);
        int m = ta ? a.shape().dim(2) : a.shape().dim(1);
        int k = ta ? a.shape().dim(1) : a.shape().dim(2);
        int n = tb ? b.shape().dim(1) : b.shape().dim(2);
        Storage s = a.backend().matmul(a.storage(), b.storage(), batch, m, k, n, ta, tb, m * k, k * n);
        return Tensor.result(Shape.of(batch, m, n), s, g -> {
            if (!ta && !tb) {
                return new Tensor[] {product(g, b, false, true), product(a, g, true, false)};
            } else if (!ta) {
                return new Tensor[] {product(g, b, false, false), product(g, a, true, false)};
            } else if (!tb) {
                return new Tensor[] {product(b, g, false, true), product(a, g, false, false)};
            }
            return new Tensor[] {product(b, g, true, true), product(g, a, true, true)};
        }, a, b);
    }
}
