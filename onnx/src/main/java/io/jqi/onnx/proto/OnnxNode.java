package io.jqi.onnx.proto;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One operator application ({@code NodeProto}). An empty string among the inputs marks an omitted optional input,
 * as in ONNX.
 *
 * @param name       the node's name ({@code ""} when unnamed)
 * @param opType     the operator, e.g. {@code "Conv"}
 * @param domain     the operator domain, {@code ""} for the default {@code ai.onnx}
 * @param inputs     the names of the values it reads
 * @param outputs    the names of the values it produces
 * @param attributes its attributes
 */
public record OnnxNode(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       List<OnnxAttribute> attributes) {
    public OnnxNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opType, "opType");
        Objects.requireNonNull(domain, "domain");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = List.copyOf(attributes);
    }

    /** The attribute with this name, if the node has one. */
    public Optional<OnnxAttribute> attribute(String name) {
        for (OnnxAttribute a : attributes) {
            if (a.name().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
