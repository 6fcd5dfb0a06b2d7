package io.jqi.quant.wrap;

import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.QuantizationTarget;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The quantizers of one node (layer) of a model: a weight quantizer per attribute (such as {@code "weight"}) and at
 * most one quantizer for the node's output activation (docs/quantizer-contract.md#node-quantization-dispatcher).
 * Builders fill it; wrappers and holders are made from it.
 */
public final class NodeQuantizationDispatcher {
    private final Map<String, FakeQuantizer> weightQuantizers = new LinkedHashMap<>();
    private FakeQuantizer activationQuantizer;

    /** Sets the quantizer of the weight attribute {@code attribute}. Returns this dispatcher. */
    public NodeQuantizationDispatcher weight(String attribute, FakeQuantizer quantizer) {
        require(quantizer, QuantizationTarget.WEIGHTS, "weight attribute '" + attribute + "'");
        if (weightQuantizers.putIfAbsent(attribute, quantizer) != null) {
            throw new IllegalArgumentException("The weight attribute '" + attribute + "' already has a quantizer");
        }
        return this;
    }

    /** Sets the output activation's quantizer. Returns this dispatcher. */
    public NodeQuantizationDispatcher activation(FakeQuantizer quantizer) {
        require(quantizer, QuantizationTarget.ACTIVATION, "activation");
        if (activationQuantizer != null) {
            throw new IllegalArgumentException("The node already has an activation quantizer");
        }
        activationQuantizer = quantizer;
        return this;
    }

    public Map<String, FakeQuantizer> weightQuantizers() {
        return Collections.unmodifiableMap(weightQuantizers);
    }

    public Optional<FakeQuantizer> activationQuantizer() {
        return Optional.ofNullable(activationQuantizer);
    }

    public boolean isWeightsQuantization() {
        return !weightQuantizers.isEmpty();
    }

    public boolean isActivationQuantization() {
        return activationQuantizer != null;
    }

    private static void require(FakeQuantizer quantizer, QuantizationTarget target, String what) {
        if (quantizer == null) {
            throw new IllegalArgumentException("The " + what + " quantizer is null");
        }
        if (quantizer.target() != target) {
            throw new IllegalArgumentException("The " + what + " needs a " + target + " quantizer, but "
                    + quantizer.getClass().getSimpleName() + " quantizes " + quantizer.target());
        }
    }
}
