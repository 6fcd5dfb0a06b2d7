package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** Softmax along one axis (negative axes count from the end). For training, feed logits to the loss instead. */
public final class Softmax extends Module {
    private final int axis;

    public Softmax(int axis) {
        this.axis = axis;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).softmax(axis);
    }

    public int axis() {
        return axis;
    }
}
