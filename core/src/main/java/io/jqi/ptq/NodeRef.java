package io.jqi.ptq;

/**
 * A node of the model being quantized, as rules and reports address it.
 *
 * @param name the node's name in the quantized graph (dots of nested containers become underscores)
 * @param path the layer's dotted path in the model as given ({@code "stem.conv"}); equal to {@code name} at top level
 * @param kind the op kind (the layer class's simple name, or {@link TargetPlatform#INPUT})
 * @param output whether the node's value is one of the model's outputs
 */
public record NodeRef(String name, String path, String kind, boolean output) {
    /** A node whose value is not a model output. */
    public NodeRef(String name, String path, String kind) {
        this(name, path, kind, false);
    }

    @Override
    public String toString() {
        return "'" + path + "' (" + kind + ")";
    }
}
