package io.jqi.cuda;

import io.jqi.tensor.Shape;

/** Host-side index arithmetic for the kernels' plans: the same strides CpuBackend computes for its loops. */
final class Strides {
    private Strides() {
    }

    /** Row-major strides of {@code dims}. */
    static int[] rowMajor(int[] dims) {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= dims[d];
        }
        return s;
    }

    /** Strides of {@code shape} seen in {@code target}'s rank, 0 where it broadcasts (right-aligned, NumPy rules). */
    static int[] broadcast(Shape shape, Shape target) {
        int[] dims = shape.toArray();
        int[] own = rowMajor(dims);
        int rank = target.rank();
        int[] s = new int[rank];
        for (int d = 0; d < dims.length; d++) {
            s[rank - dims.length + d] = dims[d] == 1 ? 0 : own[d];
        }
        return s;
    }
}
