package io.jqi.quant;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/**
 * What layer wrappers and activation holders need of a quantizer, inferable or trainable: create any variables on
 * the host, then fake-quantize.
 */
public interface FakeQuantizer {
    QuantizationTarget target();

    /** Creates the quantizer's variables (none for inferable quantizers) for a tensor of {@code shape}. */
    void initializeQuantization(Shape shape, String name, QuantizerHost host);

    /** The fake-quantized {@code x}; {@code training} tells trainable quantizers whether they are training. */
    Tensor apply(Tensor x, boolean training);
}
