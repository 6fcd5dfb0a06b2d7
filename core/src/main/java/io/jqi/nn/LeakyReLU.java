package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** {@code x} where positive, {@code slope * x} elsewhere. */
public final class LeakyReLU extends Module implements ElementwiseActivation {
    private final float negativeSlope;

    /** PyTorch's default slope, 0.01. */
    public LeakyReLU() {
        this(0.01f);
    }

    public LeakyReLU(float negativeSlope) {
        if (!Float.isFinite(negativeSlope)) {
            throw new IllegalArgumentException("LeakyReLU needs a finite negative slope, got " + negativeSlope);
        }
        this.negativeSlope = negativeSlope;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).leakyRelu(negativeSlope);
    }

    public float negativeSlope() {
        return negativeSlope;
    }
}
