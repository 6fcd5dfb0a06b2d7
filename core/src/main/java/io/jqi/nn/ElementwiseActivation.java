package io.jqi.nn;

/**
 * An element-wise activation function (ReLU and its relatives, sigmoid, tanh, clip): hardware commonly runs it fused
 * with the kernel layer or sum before it, so a target platform may quantize only its output
 * (docs/quantizer-contract.md#default-target-platform).
 */
public interface ElementwiseActivation {
}
