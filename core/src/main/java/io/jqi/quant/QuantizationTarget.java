package io.jqi.quant;

/** What a quantizer quantizes: a layer's weights or a layer's output activations. */
public enum QuantizationTarget {
    WEIGHTS,
    ACTIVATION
}
