package io.jqi.nn;

import io.jqi.tensor.Tensor;
import java.util.Map;

/**
 * Layers applied one after another: the first receives the inputs, each next one the previous output. Children are
 * named {@code "0"}, {@code "1"}, ... or given names, so parameters read {@code "0.weight"} or
 * {@code "stem.weight"}; {@link #replaceChild} swaps a layer in place.
 */
public final class Sequential extends Module {

    /** Layers named by their position. */
    public Sequential(Module... layers) {
        for (int i = 0; i < layers.length; i++) {
            registerChild(Integer.toString(i), layers[i]);
        }
        requireLayers();
    }

    /** Layers under the given names, in the map's iteration order (pass a {@link java.util.LinkedHashMap}). */
    public Sequential(Map<String, ? extends Module> layers) {
        layers.forEach(this::registerChild);
        requireLayers();
    }

    private void requireLayers() {
        if (namedChildren().isEmpty()) {
            throw new IllegalArgumentException("Sequential needs at least one layer; use Identity for a pass-through");
        }
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        Tensor[] x = inputs;
        for (Module layer : namedChildren().values()) {
            x = new Tensor[] {layer.forward(x)};
        }
        return x[0];
    }

    public int size() {
        return namedChildren().size();
    }

    /** The layer at {@code index} in order. */
    public Module get(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("Sequential has " + size() + " layers; index " + index + " is outside");
        }
        return namedChildren().values().stream().skip(index).findFirst().orElseThrow();
    }
}
