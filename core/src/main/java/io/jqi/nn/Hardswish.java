package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** {@code x * relu6(x + 3) / 6}, element-wise: the cheap swish of MobileNetV3. */
public final class Hardswish extends Module implements ElementwiseActivation {
    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).hardswish();
    }
}
