package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** The square root, element-wise: ONNX's Sqrt (the standard deviation of a decomposed LayerNorm). */
public final class Sqrt extends Module {
    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).sqrt();
    }
}
