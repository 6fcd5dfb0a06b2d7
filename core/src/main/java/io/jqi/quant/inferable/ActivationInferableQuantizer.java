package io.jqi.quant.inferable;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.RoundingMode;
import io.jqi.tensor.Shape;

/** Activation quantizers: always per tensor, any input shape. */
public abstract class ActivationInferableQuantizer extends InferableQuantizer {
    protected ActivationInferableQuantizer(int numBits, boolean signed, RoundingMode rounding) {
        super(numBits, signed, null, rounding);
    }

    @Override
    protected final ChannelLayout layoutFor(Shape shape) {
        return ChannelLayout.perTensor(shape.numel());
    }
}
