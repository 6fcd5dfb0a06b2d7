package io.jqi.quant.inferable;

import io.jqi.quant.ChannelLayout;
import io.jqi.quant.Grid;
import io.jqi.tensor.Shape;

/**
 * Test access to an inferable quantizer's grid and layout (protected API), so that the GPU tests can hand the very
 * parameters the CPU quantizer uses to the kernels. Lives in the quantizers' package for that reason only.
 */
public final class InferableGridAccess {
    private InferableGridAccess() {
    }

    public static Grid grid(InferableQuantizer quantizer) {
        return quantizer.grid();
    }

    public static ChannelLayout layout(InferableQuantizer quantizer, Shape shape) {
        return quantizer.layoutFor(shape);
    }
}
