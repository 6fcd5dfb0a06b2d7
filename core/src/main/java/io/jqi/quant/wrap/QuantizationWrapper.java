package io.jqi.quant.wrap;

import io.jqi.nn.Module;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.QuantizationTarget;
import io.jqi.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A layer that runs on quantized weights (spec 5.1). The wrapped layer keeps its float weights as trainable
 * parameters (the "master" weights, under {@code layer.}); every forward pass fake-quantizes the quantized attributes
 * and runs the layer on those stand-ins through {@link Module#forwardWith}, so gradients reach both the float
 * weights and the quantizers' own variables, which the wrapper hosts.
 */
public final class QuantizationWrapper extends QuantizerHostModule {
    private final Map<String, FakeQuantizer> weightQuantizers = new LinkedHashMap<>();

    /**
     * Wraps {@code layer}, quantizing each attribute named in {@code weightQuantizers} (such as {@code "weight"}) and
     * initialising each quantizer on the attribute's shape.
     */
    public QuantizationWrapper(Module layer, Map<String, ? extends FakeQuantizer> weightQuantizers) {
        registerChild("layer", layer);
        Map<String, Tensor> own = ownParameters(layer);
        for (Map.Entry<String, ? extends FakeQuantizer> e : weightQuantizers.entrySet()) {
            String attribute = e.getKey();
            FakeQuantizer quantizer = e.getValue();
            Tensor weight = own.get(attribute);
            if (weight == null) {
                throw new IllegalArgumentException(layer.getClass().getSimpleName() + " has no parameter '" + attribute
                        + "' to quantize; its parameters are " + own.keySet());
            }
            if (quantizer.target() != QuantizationTarget.WEIGHTS) {
                throw new IllegalArgumentException("'" + attribute + "' needs a WEIGHTS quantizer, but "
                        + quantizer.getClass().getSimpleName() + " quantizes " + quantizer.target());
            }
            quantizer.initializeQuantization(weight.shape(), attribute, this);
            this.weightQuantizers.put(attribute, quantizer);
        }
    }

    /** Wraps {@code layer} with the weight quantizers of {@code dispatcher}. */
    public static QuantizationWrapper of(Module layer, NodeQuantizationDispatcher dispatcher) {
        return new QuantizationWrapper(layer, dispatcher.weightQuantizers());
    }

    public Module layer() {
        return child("layer");
    }

    public Map<String, FakeQuantizer> weightQuantizers() {
        return Collections.unmodifiableMap(weightQuantizers);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return layer().forwardWith(quantizedWeights(isTraining()), inputs);
    }

    /** The quantized value of each quantized attribute, as inference sees it (exporters read these). */
    public Map<String, Tensor> quantizedWeights() {
        try (var ignored = Tensor.noGrad()) {
            return quantizedWeights(false);
        }
    }

    /** Replaces every trainable quantizer with its inferable form; the layer's outputs stay the same. */
    public void convertToInferableQuantizers() {
        weightQuantizers.replaceAll((attribute, q) -> inferable(q));
    }

    private Map<String, Tensor> quantizedWeights(boolean training) {
        Map<String, Tensor> own = ownParameters(layer());
        Map<String, Tensor> out = new LinkedHashMap<>();
        weightQuantizers.forEach((attribute, q) -> out.put(attribute, q.apply(own.get(attribute), training)));
        return out;
    }

    private static Map<String, Tensor> ownParameters(Module layer) {
        Map<String, Tensor> own = new LinkedHashMap<>();
        layer.namedParameters().forEach((name, t) -> {
            if (!name.contains(".")) {
                own.put(name, t);
            }
        });
        return own;
    }
}
