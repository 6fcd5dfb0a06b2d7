package io.jqi.ptq;

/**
 * Adjusts, node by node, what the target platform says: the hook through which a QAT config's per-layer choices
 * (bits, methods, "do not quantize") reach the post-training analysis.
 */
@FunctionalInterface
public interface QuantizationRules {
    /** The platform as it is. */
    QuantizationRules NONE = (node, op) -> op;

    /** What {@code node} gets, given the platform's {@code op} for its kind. */
    OpQuantization resolve(NodeRef node, OpQuantization op);

    /** Called with every node of the model before analysis; rules that name no node should fail here. */
    default void validate(java.util.List<NodeRef> nodes) {
    }
}
