package io.jqi.tensor;

import java.util.Arrays;

/** Sums, means and broadcasting, and their gradients. */
final class Reductions {
    private Reductions() {
    }

    static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
        Shape xs = x.shape();
        boolean[] reduced = new boolean[xs.rank()];
        for (int axis : axes) {
            reduced[xs.normalizeAxis(axis)] = true;
        }
        int[] kept = xs.toArray();
        int[] dropped = new int[xs.rank()];
        int n = 0;
        for (int d = 0; d < kept.length; d++) {
            if (reduced[d]) {
                kept[d] = 1;
            } else {
                dropped[n++] = kept[d];
            }
        }
        Shape keptShape = Shape.of(kept);
        Shape outShape = keepDims ? keptShape : Shape.of(Arrays.copyOf(dropped, n));
        Storage s = x.backend().sumTo(x.storage(), xs, keptShape);
        return Tensor.result(outShape, s, g -> new Tensor[] {expand(g.reshape(kept), xs)}, x);
    }

    static Tensor mean(Tensor x, int[] axes, boolean keepDims) {
        long count = 1;
        boolean[] seen = new boolean[x.rank()];
        for (int axis : axes) {
            int a = x.shape().normalizeAxis(axis);
            if (!seen[a]) {
                seen[a] = true;
                count *= x.shape().dim(a);
            }
        }
        return sum(x, axes, keepDims).mul(1f / count);
    }

    /** {@code x} broadcast to {@code target}; the gradient sums back to x's shape. */
    static Tensor expand(Tensor x, Shape target) {
        if (x.shape().equals(target)) {
            return x;
        }
        Shape check = Elementwise.broadcastShape(x.shape(), target);
        if (!check.equals(target)) {
            throw new IllegalArgumentException("Shape " + x.shape() + " cannot be expanded to " + target);
        }
        Backend backend = x.backend();
        Storage s = backend.zip(BinaryOp.ADD, x.storage(), x.shape(), backend.zeros(1), Shape.scalar(), target);
        Shape xs = x.shape();
        return Tensor.result(target, s, g -> new Tensor[] {sumTo(g, xs)}, x);
    }

    /** Sums {@code g} over the axes along which {@code shape} was broadcast to g's shape. */
    static Tensor sumTo(Tensor g, Shape shape) {
        if (g.shape().equals(shape)) {
            return g;
        }
        int extra = g.rank() - shape.rank();
        int[] axes = new int[g.rank()];
        int n = 0;
        for (int d = 0; d < g.rank(); d++) {
            if (d < extra || (shape.dim(d - extra) == 1 && g.shape().dim(d) != 1)) {
                axes[n++] = d;
            }
        }
        return sum(g, Arrays.copyOf(axes, n), true).reshape(shape.toArray());
    }
}
