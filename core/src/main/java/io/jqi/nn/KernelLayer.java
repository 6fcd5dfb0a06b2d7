package io.jqi.nn;

import io.jqi.tensor.Tensor;

/**
 * A layer whose output is a weight kernel applied to its input, one kernel row per output channel, plus an optional
 * per-channel bias: what batch-norm folding and bias correction rewrite and what a target platform quantizes as a
 * kernel (docs/quantizer-contract.md#bias-correction). Conv2D and Dense are kernel layers.
 */
public interface KernelLayer {
    /** The weight, output channels on axis 0. */
    Tensor weight();

    /** The {@code [outChannels]} bias, or null for a layer without one. */
    Tensor bias();

    int outChannels();

    /** How many groups of input channels the kernel connects separately (1 when every output reads every input). */
    int groups();

    /**
     * The axis of the layer's input that holds the channels the kernel reads: 1 for NCHW convolutions; negative counts
     * from the end (-1 for a dense layer, which reads the last axis whatever the rank).
     */
    int inputChannelAxis();

    /** A new layer like this one with {@code weight} and {@code bias} (null: none); this layer is unchanged. */
    Module withParameters(Tensor weight, Tensor bias);
}
