package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** The hyperbolic tangent, element-wise. */
public final class Tanh extends Module implements ElementwiseActivation {
    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).tanh();
    }
}
