package io.jqi.quant.trainable;

import io.jqi.quant.QuantizerHost;
import io.jqi.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** A host that keeps the registered variables in a map, standing in for a layer wrapper in these unit tests. */
final class MapHost implements QuantizerHost {
    final Map<String, Tensor> variables = new LinkedHashMap<>();

    @Override
    public void registerQuantizerVariable(String name, Tensor variable) {
        if (variables.putIfAbsent(name, variable) != null) {
            throw new IllegalStateException("duplicate " + name);
        }
    }
}
