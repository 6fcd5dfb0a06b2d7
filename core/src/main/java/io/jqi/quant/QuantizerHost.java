package io.jqi.quant;

import io.jqi.tensor.Tensor;

/**
 * Where a trainable quantizer's variables live: the layer wrapper or activation holder that owns the quantizer, so
 * that the model's parameter list (and its optimizer) sees them. Called from
 * {@code TrainableQuantizer.initializeQuantization} (io.jqi.quant.trainable).
 */
public interface QuantizerHost {
    /** Adds {@code variable} under {@code name}; a name already taken is an error. */
    void registerQuantizerVariable(String name, Tensor variable);
}
