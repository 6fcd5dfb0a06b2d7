package io.jqi.cuda;

/**
 * What the fake-quantization backward returns on host arrays: the input gradient and, where the parameters train,
 * the per-channel step gradients and (for a grid with offsets) offset gradients; null otherwise.
 */
public record FakeQuantGradients(float[] dx, float[] dSteps, float[] dOffsets) {
}
