package io.jqi.qat;

/**
 * Per-layer choices of a QAT config, for the nodes that {@code selector} names: a node name (the layer's name in a
 * {@link io.jqi.nn.GraphModel}, or its dotted path such as {@code "stem.conv"} in nested containers) or an op kind
 * (a layer class's simple name, such as {@code "Dense"}; {@code "Input"} for the model's inputs, and {@link #OUTPUT}
 * for the nodes that produce its outputs). Rules apply in order, after the config's own settings, so
 * a later rule wins.
 *
 * @param skip leave the matched nodes entirely float (no kernel, no output quantization); a skipping rule sets
 *     nothing else
 */
public record LayerRule(String selector, boolean skip, WeightsSettings weights, ActivationsSettings activations) {
    /** The selector of the nodes whose values are the model's outputs (the logits, say). */
    public static final String OUTPUT = "Output";

    public LayerRule {
        if (selector == null || selector.isBlank()) {
            throw new IllegalArgumentException("A layer rule needs a selector: a node name or an op kind such as "
                    + "\"Dense\"");
        }
        weights = weights == null ? WeightsSettings.INHERIT : weights;
        activations = activations == null ? ActivationsSettings.INHERIT : activations;
        // A training method or parameter override is rejected too: a skipped layer has no quantizer to take it.
        if (skip && (!weights.equals(WeightsSettings.INHERIT) || !activations.equals(ActivationsSettings.INHERIT))) {
            throw new IllegalArgumentException("Layer rule '" + selector + "' both skips the layer and sets how it is "
                    + "quantized; keep one");
        }
    }

    /** Whether the rule applies to {@code node}: by name, dotted path or op kind. */
    public boolean matches(io.jqi.ptq.NodeRef node) {
        return selector.equals(node.name()) || selector.equals(node.path()) || selector.equals(node.kind())
                || (selector.equals(OUTPUT) && node.output());
    }
}
