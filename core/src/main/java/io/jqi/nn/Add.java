package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** The element-wise sum of two or more inputs (broadcasting like NumPy): the join of a residual connection. */
public final class Add extends Module {
    @Override
    public Tensor forward(Tensor... inputs) {
        if (inputs.length < 2) {
            throw new IllegalArgumentException("Add sums two or more inputs, got " + inputs.length);
        }
        Tensor sum = inputs[0];
        for (int i = 1; i < inputs.length; i++) {
            sum = sum.add(inputs[i]);
        }
        return sum;
    }
}
