package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** Joins its inputs along one axis (1, the channels, in NCHW); every other dimension must agree. */
public final class Concat extends Module {
    private final int axis;

    public Concat(int axis) {
        this.axis = axis;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        if (inputs.length == 0) {
            throw new IllegalArgumentException("Concat needs at least one input");
        }
        return Tensor.concat(axis, inputs);
    }

    public int axis() {
        return axis;
    }
}
