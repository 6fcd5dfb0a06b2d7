package io.jqi.nn;

/**
 * A layer that moves, selects or reshapes its input's values without computing new ones (flatten, reshape, transpose,
 * max pooling, identity, dropout at inference): its output lies on its input's quantization grid, so a target
 * platform may leave it unquantized (docs/quantizer-contract.md#default-target-platform).
 */
public interface DataMovement {
}
