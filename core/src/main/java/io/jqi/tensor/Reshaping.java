package io.jqi.tensor;

import java.util.Arrays;

/** Views and copies that move values without computing on them, and their gradients. */
final class Reshaping {
    private Reshaping() {
    }

    static Tensor reshape(Tensor x, int[] dims) {
        int[] resolved = dims.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < resolved.length; i++) {
            if (resolved[i] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException("reshape to " + Arrays.toString(dims) + ": only one dimension "
                            + "may be -1");
                }
                unknown = i;
            } else {
                known *= resolved[i];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || x.numel() % known != 0) {
                throw new IllegalArgumentException("Cannot reshape " + x.shape() + " to " + Arrays.toString(dims));
            }
            resolved[unknown] = (int) (x.numel() / known);
        }
        Shape s = Shape.of(resolved);
        if (s.numel() != x.numel()) {
            throw new IllegalArgumentException("Cannot reshape " + x.shape() + " (" + x.numel() + " elements) to " + s
                    + " (" + s.numel() + " elements)");
        }
        if (s.equals(x.shape())) {
            return x;
        }
        int[] back = x.shape().toArray();
        return Tensor.result(s, x.storage(), g -> new Tensor[] {g.reshape(back)}, x);
    }

    static Tensor flatten(Tensor x, int startAxis) {
        int start = x.shape().normalizeAxis(startAxis);
        int[] dims = new int[start + 1];
        for (int d = 0; d < start; d++) {
            dims[d] = x.shape().dim(d);
        }
        dims[start] = -1;
        return x.numel() == 0 ? x : reshape(x, dims);
    }

    static Tensor permute(Tensor x, int[] permutation) {
        int rank = x.rank();
        if (permutation.length != rank) {
            throw new IllegalArgumentException("permute of a rank-" + rank + " tensor needs " + rank + " axes, got "
                    + Arrays.toString(permutation));
        }
        int[] perm = new int[rank];
        int[] inverse = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int d = 0; d < rank; d++) {
            perm[d] = x.shape().normalizeAxis(permutation[d]);
            if (seen[perm[d]]) {
                throw new IllegalArgumentException("permute axes " + Arrays.toString(permutation) + " repeat an axis");
            }
            seen[perm[d]] = true;
            inverse[perm[d]] = d;
        }
        int[] outDims = new int[rank];
        for (int d = 0; d < rank; d++) {
            outDims[d] = x.shape().dim(perm[d]);
        }
        Storage s = x.backend().permute(x.storage(), x.shape(), perm);
        return Tensor.result(Shape.of(outDims), s, g -> new Tensor[] {g.permute(inverse)}, x);
    }

    static Tensor transpose(Tensor x, int axisA, int axisB) {
        int[] perm = new int[x.rank()];
        for (int d = 0; d < perm.length; d++) {
            perm[d] = d;
        }
        int a = x.shape().normalizeAxis(axisA);
        int b = x.shape().normalizeAxis(axisB);
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    static Tensor narrow(Tensor x, int axis, int start, int length) {
        int a = x.shape().normalizeAxis(axis);
        int size = x.shape().dim(a);
        if (start < 0 || length < 0 || start + length > size) {
            throw new IllegalArgumentException("narrow [" + start + ", " + (start + length) + ") is outside axis " + a
                    + " of size " + size + " (shape " + x.shape() + ")");
        }
        int[] dims = x.shape().toArray();
        dims[a] = length;
        Storage s = x.backend().narrow(x.storage(), x.shape(), a, start, length);
        Shape full = x.shape();
        return Tensor.result(Shape.of(dims), s, g -> new Tensor[] {pad(g, full, a, start)}, x);
    }

    /** {@code g} placed at {@code start} along {@code axis} of a zero tensor of shape {@code full}. */
    private static Tensor pad(Tensor g, Shape full, int axis, int start) {
        int after = full.dim(axis) - start - g.shape().dim(axis);
        Tensor[] parts = new Tensor[] {zeros(g, axis, start), g, zeros(g, axis, after)};
        return concat(axis, parts);
    }

    private static Tensor zeros(Tensor like, int axis, int size) {
        int[] dims = like.shape().toArray();
        dims[axis] = size;
        Shape s = Shape.of(dims);
        return Tensor.ofStorage(s, like.backend().zeros(s.numel()));
    }

    static Tensor concat(int axis, Tensor[] parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat needs at least one tensor");
        }
        Shape first = parts[0].shape();
        int a = first.normalizeAxis(axis);
        int[] outDims = first.toArray();
        outDims[a] = 0;
        Storage[] storages = new Storage[parts.length];
        Shape[] shapes = new Shape[parts.length];
        for (int p = 0; p < parts.length; p++) {
            Shape s = parts[p].shape();
            Elementwise.requireSameDevice(parts[0], parts[p]);
            boolean fits = s.rank() == first.rank();
            for (int d = 0; fits && d < s.rank(); d++) {
                fits = d == a || s.dim(d) == first.dim(d);
            }
            if (!fits) {
                throw new IllegalArgumentException("concat along axis " + a + ": part " + p + " has shape " + s
                        + ", which does not match " + first + " outside that axis");
            }
            outDims[a] += s.dim(a);
            storages[p] = parts[p].storage();
            shapes[p] = s;
        }
        Shape out = Shape.of(outDims);
        Storage s = parts[0].backend().concat(storages, shapes, a, out);
        return Tensor.result(out, s, g -> {
            Tensor[] grads = new Tensor[shapes.length];
            int offset = 0;
            for (int p = 0; p < shapes.length; p++) {
                int len = shapes[p].dim(a);
                grads[p] = narrow(g, a, offset, len);
                offset += len;
            }
            return grads;
        }, parts);
    }
}
