package io.jqi.quant.trainable;

/** What a trainable quantizer's variable is for: model weights, or quantization parameters (thresholds, ranges). */
public enum VariableGroup {
    WEIGHTS,
    QPARAMS
}
