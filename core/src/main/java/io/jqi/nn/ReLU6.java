package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** {@code min(max(x, 0), 6)}, element-wise: the bounded ReLU of mobile networks. */
public final class ReLU6 extends Module implements ElementwiseActivation {
    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).relu6();
    }
}
