package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** {@code x ^ exponent}, element-wise, for a constant exponent: ONNX's Pow (the variance of a decomposed LayerNorm). */
public final class Pow extends Module {
    private final float exponent;

    public Pow(float exponent) {
        if (!Float.isFinite(exponent)) {
            throw new IllegalArgumentException("Pow needs a finite exponent, got " + exponent);
        }
        this.exponent = exponent;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).pow(exponent);
    }

    public float exponent() {
        return exponent;
    }
}
