package io.jqi.quant.trainable;

/** One mixed-precision candidate of a node; informational for QAT (no QAT quantizer reads it). */
public record TrainableQuantizerCandidateConfig(int nBits, QuantizationParams params) {
}
