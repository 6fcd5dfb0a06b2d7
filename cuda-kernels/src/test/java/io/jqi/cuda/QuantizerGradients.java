package io.jqi.cuda;

/**
 * A trainable quantizer's gradients on host arrays: the input gradient and, for a quantizer that trains its
 * parameters, their per-channel gradients (null otherwise, and null where the grid kind has no such parameter).
 */
record QuantizerGradients(float[] dx, float[] dThresholds, float[] dMin, float[] dMax) {
}
