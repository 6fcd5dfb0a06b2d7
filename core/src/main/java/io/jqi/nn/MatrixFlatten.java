package io.jqi.nn;

import io.jqi.tensor.Tensor;

/**
 * Flattens the input into a matrix (ONNX {@code Flatten}): {@code [d0, ..., dn] -> [d0 * ... * d(axis-1),
 * d(axis) * ... * dn]}, with a negative axis counted from the end and an empty product 1. {@link Flatten} instead
 * keeps the axes before its start axis; the two agree at axis 1 for inputs of rank 2 or more.
 */
public final class MatrixFlatten extends Module implements DataMovement {
    private final int axis;

    public MatrixFlatten(int axis) {
        this.axis = axis;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        Tensor x = singleInput(inputs);
        int a = axis < 0 ? axis + x.rank() : axis;
        if (a < 0 || a > x.rank()) {
            throw new IllegalArgumentException("MatrixFlatten: axis " + axis + " is outside [-" + x.rank() + ", "
                    + x.rank() + "] for input " + x.shape());
        }
        int rows = 1;
        for (int i = 0; i < a; i++) {
            rows *= x.shape().dim(i);
        }
        int cols = 1;
        for (int i = a; i < x.rank(); i++) {
            cols *= x.shape().dim(i);
        }
        return x.reshape(rows, cols);
    }

    public int axis() {
        return axis;
    }
}
