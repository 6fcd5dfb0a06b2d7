package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** {@code max(x, 0)}, element-wise. */
public final class ReLU extends Module implements ElementwiseActivation {
    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).relu();
    }
}
