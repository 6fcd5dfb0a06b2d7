package io.jqi.quant.trainable;

/** What the STE passes back to the quantizer's input. */
public enum SteInputGradient {
    /** The gradient passes unchanged everywhere (MCT's PyTorch STE; jqi's default). */
    IDENTITY,
    /** The gradient is zero where the value was clipped (Keras STE, PyTorch FakeQuantize). */
    CLIPPED
}
