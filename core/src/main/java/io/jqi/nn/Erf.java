package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** The error function, element-wise: ONNX's Erf (the exact GELU of ConvNeXt and ViT computes {@code x * (1 + erf(x / sqrt 2)) / 2}). */
public final class Erf extends Module {
    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).erf();
    }
}
