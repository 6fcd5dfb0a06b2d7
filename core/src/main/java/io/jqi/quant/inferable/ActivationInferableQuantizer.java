package io.jqi.quant.inferable;

import io.jqi.quant.ChannelLayout;
import io.jqi.tensor.Shape;

/** Activation quantizers: always per tensor, any input shape. */
public abstract class ActivationInferableQuantizer extends InferableQuantizer {
    protected ActivationInferableQuantizer(int numBits) {
        super(numBits);
    }

    @Override
    protected final ChannelLayout layoutFor(Shape shape) {
        return ChannelLayout.perTensor(shape);
    }
}
