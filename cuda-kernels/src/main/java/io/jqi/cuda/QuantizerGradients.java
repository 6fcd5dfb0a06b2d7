package io.jqi.cuda;

/**
 * What a trainable quantizer's backward returns on host arrays: the input gradient and, for a quantizer that trains
 * its parameters, their per-channel gradients (null otherwise, and null where the grid kind has no such parameter).
 */
public record QuantizerGradients(float[] dx, float[] dThresholds, float[] dMin, float[] dMax) {
}
