package io.jqi.quant.wrap;

import io.jqi.nn.Module;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.QuantizationTarget;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A layer that runs on quantized weights (docs/quantizer-contract.md#quantization-wrapper). The wrapped layer keeps its
 * float weights as trainable parameters (the "master" weights, under {@code layer.}); every forward pass fake-quantizes
 * the quantized attributes and runs the layer on those stand-ins through {@link Module#forwardWith}, so gradients reach
 * both the float weights and the quantizers' own variables, which the wrapper hosts. A functional layer's constant
 * inputs ({@link #positional}) are kept as buffers and inserted, quantized, among its inputs.
 */
public final class QuantizationWrapper extends QuantizerHostModule {
    /** The reference's prefix for constants fed to functional layers as inputs. */
    public static final String POSITIONAL_WEIGHT_PREFIX = "positional_weight_";

    private final Map<String, FakeQuantizer> weightQuantizers = new LinkedHashMap<>();
    private final TreeMap<Integer, FakeQuantizer> positionalQuantizers = new TreeMap<>();

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
            requireWeightsQuantizer(attribute, quantizer);
            quantizer.initializeQuantization(weight.shape(), attribute, this);
            this.weightQuantizers.put(attribute, quantizer);
        }
    }

    private QuantizationWrapper(Module layer, Map<Integer, Tensor> values,
            Map<Integer, ? extends FakeQuantizer> quantizers) {
        registerChild("layer", layer);
        if (!values.keySet().equals(quantizers.keySet())) {
            throw new IllegalArgumentException("Positional weights and their quantizers must have the same positions, "
                    + "got values at " + new TreeMap<>(values).keySet() + " and quantizers at "
                    + new TreeMap<>(quantizers).keySet());
        }
        for (Map.Entry<Integer, ? extends FakeQuantizer> e : new TreeMap<>(quantizers).entrySet()) {
            int position = e.getKey();
            if (position < 0) {
                throw new IllegalArgumentException("A positional weight's position must be >= 0, got " + position);
            }
            String name = POSITIONAL_WEIGHT_PREFIX + position;
            Tensor value = values.get(position).detach();
            registerBuffer(name, value);
            requireWeightsQuantizer(name, e.getValue());
            e.getValue().initializeQuantization(value.shape(), name, this);
            positionalQuantizers.put(position, e.getValue());
        }
    }

    /**
     * Wraps a functional layer (such as {@code Add} or {@code Concat}) that takes constants as inputs: each
     * {@code values} entry is inserted, quantized, at its position among the inputs
     * (docs/quantizer-contract.md#quantization-wrapper).
     */
    public static QuantizationWrapper positional(Module layer, Map<Integer, Tensor> values,
            Map<Integer, ? extends FakeQuantizer> quantizers) {
        return new QuantizationWrapper(layer, values, quantizers);
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
        if (!positionalQuantizers.isEmpty()) {
            List<Tensor> args = new ArrayList<>(Arrays.asList(inputs));
            for (Map.Entry<Integer, FakeQuantizer> e : positionalQuantizers.entrySet()) {
                int position = e.getKey();
                if (position > args.size()) {
                    throw new IllegalArgumentException("The positional weight at " + position + " cannot be placed "
                            + "among " + inputs.length + " inputs");
                }
                Tensor value = namedBuffers().get(POSITIONAL_WEIGHT_PREFIX + position);
                args.add(position, e.getValue().apply(value, isTraining()));
            }
            return layer().forward(args.toArray(new Tensor[0]));
        }
        return layer().forwardWith(quantizedWeights(isTraining()), inputs);
    }

    /** The quantized value of each quantized attribute, as inference sees it (exporters read these). */
    public Map<String, Tensor> quantizedWeights() {
        try (var ignored = Tensor.noGrad()) {
            return quantizedWeights(false);
        }
    }

    /** The quantizers of positional weights, by position. */
    public Map<Integer, FakeQuantizer> positionalQuantizers() {
        return Collections.unmodifiableMap(positionalQuantizers);
    }

    /** Replaces every trainable quantizer with its inferable form; the layer's outputs stay the same. */
    public void convertToInferableQuantizers() {
        weightQuantizers.replaceAll((attribute, q) -> inferable(q));
        positionalQuantizers.replaceAll((position, q) -> inferable(q));
    }

    private static void requireWeightsQuantizer(String name, FakeQuantizer quantizer) {
        if (quantizer.target() != QuantizationTarget.WEIGHTS) {
            throw new IllegalArgumentException("'" + name + "' needs a WEIGHTS quantizer, but "
                    + quantizer.getClass().getSimpleName() + " quantizes " + quantizer.target());
        }
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
