package io.jqi.nn;

import io.jqi.tensor.Tensor;

/**
 * Softmax as ONNX defined it before opset 13: the input is seen as a matrix {@code [d0 * ... * d(axis-1),
 * d(axis) * ... * dn]} and normalized over each row, so over all axes from {@code axis} on at once. For the last axis
 * it is {@link Softmax}.
 */
public final class CoercedSoftmax extends Module {
    private final int axis;

    public CoercedSoftmax(int axis) {
        this.axis = axis;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        Tensor x = singleInput(inputs);
        Tensor rows = new MatrixFlatten(axis).forward(x);
        return rows.softmax(1).reshape(x.shape().toArray());
    }

    public int axis() {
        return axis;
    }
}
