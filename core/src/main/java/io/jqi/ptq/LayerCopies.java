package io.jqi.ptq;

import io.jqi.nn.BatchNorm;
import io.jqi.nn.BinaryLayer;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Module;
import io.jqi.nn.QuantizeDequantize;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Copies of layers, so that quantizing a model never changes the float model it came from (folding, bias correction
 * and training all act on the copies). Layers with no parameters, buffers or children hold no state that training
 * changes and are shared.
 */
final class LayerCopies {
    private LayerCopies() {
    }

    static Module copy(Module layer) {
        if (layer instanceof Dense d) {
            return dense(d, d.weight(), d.bias());
        }
        if (layer instanceof Conv2D c) {
            return conv(c, c.weight(), c.bias());
        }
        if (layer instanceof BatchNorm b) {
            BatchNorm copy = new BatchNorm(b.numFeatures(), b.momentum(), b.eps());
            copy.loadStateDict(b.stateDict());
            return copy;
        }
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
        if (layer.namedParameters().isEmpty() && layer.namedBuffers().isEmpty() && layer.namedChildren().isEmpty()) {
            return layer;
        }
        if (layer instanceof BinaryLayer) {
            // Its only state is a constant operand (a buffer) that no quantization step changes: shared like a
            // stateless layer.
            return layer;
        }
        throw new IllegalArgumentException("Quantization works on a copy of the model, and jqi cannot copy the "
                + layer.getClass().getName() + " layer, which has parameters or buffers; build the model from jqi "
                + "layers (Dense, Conv2D, BatchNorm, activations, pooling, Sequential, GraphModel)");
    }

    /** A copy of {@code like} with the given weight and bias ({@code bias} null: none). */
    static Dense dense(Dense like, Tensor weight, Tensor bias) {
        Dense copy = new Dense(like.inFeatures(), like.outFeatures(), bias != null, new Random(0));
        copy.loadStateDict(state(weight, bias));
        return copy;
    }

    /** A copy of {@code like} with the given weight and bias ({@code bias} null: none). */
    static Conv2D conv(Conv2D like, Tensor weight, Tensor bias) {
        Conv2D copy = new Conv2D(like.inChannels(), like.outChannels(), like.kernel(), like.stride(), like.padding(),
                like.dilation(), like.groups(), bias != null, new Random(0));
        copy.loadStateDict(state(weight, bias));
        return copy;
    }

    private static Map<String, Tensor> state(Tensor weight, Tensor bias) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("weight", weight);
        if (bias != null) {
            state.put("bias", bias);
        }
        return state;
    }
}
