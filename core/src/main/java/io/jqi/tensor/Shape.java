package io.jqi.tensor;

import java.util.Arrays;

/** The dimensions of a tensor: immutable, any rank (rank 0 is a scalar). */
public final class Shape {
    /** Largest element count a CPU tensor can hold (one Java array). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final int[] dims;
    private final int numel;

    private Shape(int[] dims) {
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException("Dimension " + i + " of shape " + Arrays.toString(dims)
                        + " is negative");
            }
            n *= dims[i];
            if (n > MAX_ELEMENTS) {
                throw new IllegalArgumentException("Shape " + Arrays.toString(dims) + " has more than "
                        + MAX_ELEMENTS + " elements");
            }
        }
        this.dims = dims;
        this.numel = (int) n;
    }

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    public static Shape scalar() {
        return new Shape(new int[0]);
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int axis) {
        return dims[normalizeAxis(axis)];
    }

    public int numel() {
        return numel;
    }

    public int[] toArray() {
        return dims.clone();
    }

    /** The product of the extents before {@code axis} (1 for axis 0): how many rows a split at that axis makes. */
    public int sizeBefore(int axis) {
        int n = 1;
        for (int d = 0; d < axis; d++) {
            n *= dims[d];
        }
        return n;
    }

    /** The product of the extents after {@code axis} (1 for the last axis): one step along it, in elements. */
    public int sizeAfter(int axis) {
        int n = 1;
        for (int d = axis + 1; d < dims.length; d++) {
            n *= dims[d];
        }
        return n;
    }

    /** Row-major strides: how far one step along each axis moves in the flat storage. */
    public int[] strides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= dims[d];
        }
        return s;
    }

    /**
     * This shape's strides seen in {@code target}'s rank, 0 along every axis where it broadcasts (right-aligned,
     * NumPy rules); every device backend indexes broadcast operands with them.
     */
    public int[] broadcastStrides(Shape target) {
        int[] own = strides();
        int[] s = new int[target.rank()];
        int offset = target.rank() - dims.length;
        for (int d = 0; d < dims.length; d++) {
            s[offset + d] = dims[d] == 1 ? 0 : own[d];
        }
        return s;
    }

    /**
     * Maps a possibly negative axis ({@code -rank <= axis < rank}) to {@code 0 <= axis < rank}.
     *
     * @throws IllegalArgumentException when the axis is out of range for this rank
     */
    public int normalizeAxis(int axis) {
        int r = dims.length;
        if (axis < -r || axis >= r) {
            throw new IllegalArgumentException("Axis " + axis + " is out of range for shape " + this
                    + ": it must satisfy " + (-r) + " <= axis < " + r);
        }
        return axis < 0 ? axis + r : axis;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
