package io.jqi.quant.trainable;

/** The LSQ gradient scale g applied to the step size. */
public enum LsqGradientScale {
    /** MCT's {@code 1 / sqrt(Qp * channels)}: channels are the thresholds (weights) or input channels (activations). */
    MCT,
    /** The LSQ paper's {@code 1 / sqrt(Qp * N)}, N the weights of the tensor or the features of one sample. */
    PAPER
}
