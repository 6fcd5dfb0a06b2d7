package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** {@code 1 / (1 + exp(-x))}, element-wise. */
public final class Sigmoid extends Module implements ElementwiseActivation {
    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).sigmoid();
    }
}
