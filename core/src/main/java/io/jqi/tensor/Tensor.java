package io.jqi.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor: a {@link Shape} over contiguous row-major {@link Storage}. Tensors are immutable values:
 * operations return new tensors. The facade is device independent; today's storage is the CPU's.
 */
public final class Tensor {
    private final Shape shape;
    private final Storage storage;

    private Tensor(Shape shape, Storage storage) {
        if (shape.numel() != storage.size()) {
            throw new IllegalArgumentException("Shape " + shape + " needs " + shape.numel()
                    + " values but the storage holds " + storage.size());
        }
        this.shape = shape;
        this.storage = storage;
    }

    /** A CPU tensor holding a copy of {@code values}, laid out row-major in {@code shape}. */
    public static Tensor of(float[] values, int... shape) {
        return new Tensor(Shape.of(shape), new CpuStorage(values.clone()));
    }

    /** A CPU tensor holding a copy of {@code values}, laid out row-major in {@code shape}. */
    public static Tensor of(float[] values, Shape shape) {
        return new Tensor(shape, new CpuStorage(values.clone()));
    }

    /** A rank-1 CPU tensor of the given values. */
    public static Tensor vector(float... values) {
        return of(values, values.length);
    }

    public static Tensor scalar(float value) {
        return new Tensor(Shape.scalar(), new CpuStorage(new float[] {value}));
    }

    public static Tensor zeros(int... shape) {
        Shape s = Shape.of(shape);
        return new Tensor(s, new CpuStorage(new float[s.numel()]));
    }

    /**
     * A CPU tensor that takes ownership of {@code values} without copying; the caller must not modify the array
     * afterwards. Kernels use this to hand back freshly computed results.
     */
    public static Tensor wrap(float[] values, Shape shape) {
        return new Tensor(shape, new CpuStorage(values));
    }

    public Shape shape() {
        return shape;
    }

    public int rank() {
        return shape.rank();
    }

    public int numel() {
        return shape.numel();
    }

    public Device device() {
        return storage.device();
    }

    /** A row-major copy of the values on the host. */
    public float[] toFloatArray() {
        return storage.toHostArray();
    }

    /** The value at a multi-index ({@code index.length == rank}); negative indexes are not accepted. */
    public float get(int... index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("Index " + Arrays.toString(index) + " has " + index.length
                    + " coordinates but the tensor has rank " + shape.rank());
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            int d = shape.dim(i);
            if (index[i] < 0 || index[i] >= d) {
                throw new IndexOutOfBoundsException("Index " + Arrays.toString(index) + " is outside shape " + shape);
            }
            flat = flat * d + index[i];
        }
        return valueAt(flat);
    }

    /** The only value of a one-element tensor. */
    public float item() {
        if (shape.numel() != 1) {
            throw new IllegalStateException("item() needs a tensor with one element, but shape is " + shape);
        }
        return valueAt(0);
    }

    /** The same values seen with another shape of the same element count. */
    public Tensor reshape(int... newShape) {
        Shape s = Shape.of(newShape);
        if (s.numel() != shape.numel()) {
            throw new IllegalArgumentException("Cannot reshape " + shape + " (" + shape.numel() + " elements) to "
                    + s + " (" + s.numel() + " elements)");
        }
        return new Tensor(s, storage);
    }

    private float valueAt(int flat) {
        if (storage instanceof CpuStorage cpu) {
            return cpu.get(flat);
        }
        return storage.toHostArray()[flat];
    }

    @Override
    public String toString() {
        int n = Math.min(shape.numel(), 8);
        float[] head = new float[n];
        for (int i = 0; i < n; i++) {
            head[i] = valueAt(i);
        }
        String values = Arrays.toString(head);
        if (shape.numel() > n) {
            values = values.substring(0, values.length() - 1) + ", ...]";
        }
        return "Tensor" + shape + " " + device() + " " + values;
    }
}
