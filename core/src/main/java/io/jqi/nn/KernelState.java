package io.jqi.nn;

import io.jqi.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** Loads a kernel layer's weight and bias into a freshly built layer of the right shape (KernelLayer.withParameters). */
final class KernelState {
    private KernelState() {
    }

    /** {@code layer} with copies of {@code weight} and {@code bias} (null: the layer has none) loaded. */
    static <M extends Module> M loaded(M layer, Tensor weight, Tensor bias) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("weight", weight);
        if (bias != null) {
            state.put("bias", bias);
        }
        layer.loadStateDict(state);
        return layer;
    }
}
