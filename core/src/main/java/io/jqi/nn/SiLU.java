package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** {@code x * sigmoid(x)} (swish), element-wise. */
public final class SiLU extends Module implements ElementwiseActivation {
    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).silu();
    }
}
