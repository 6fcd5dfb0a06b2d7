package io.jqi.ptq;

import io.jqi.nn.Module;
import io.jqi.nn.QuantizeDequantize;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.quant.wrap.QuantizationWrapper;

/**
 * Copies of layers, so that quantizing a model never changes the float model it came from (folding, bias correction
 * and training all act on the copies): {@link Module#copy()} for every layer, jqi's and users' alike. A model that is
 * already quantized is refused by name.
 */
final class LayerCopies {
    private LayerCopies() {
    }

    static Module copy(Module layer) {
        if (layer instanceof QuantizationWrapper || layer instanceof ActivationQuantizationHolder) {
            throw new IllegalArgumentException("The model is already quantized (it holds a "
                    + layer.getClass().getSimpleName() + "); quantize the float model it came from");
        }
        if (layer instanceof QuantizeDequantize) {
            // Quantizing again would put a second grid on values already on one, and PTQ would calibrate weights
            // that are already integers times a scale: what the model computes would change for no gain.
            throw new IllegalArgumentException("The model is already quantized (it holds a QuantizeDequantize: an "
                    + "imported QDQ model); run it as it is, or quantize the float model it came from");
        }
        return layer.copy();
    }
}
