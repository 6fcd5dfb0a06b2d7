package io.jqi.onnx.proto;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An ONNX model file ({@code ModelProto}) in jqi's subset.
 *
 * @param metadata {@code metadata_props} in file order (an insertion-ordered, unmodifiable map)
 */
public record OnnxModel(long irVersion, List<OpsetId> opsets, String producerName, String producerVersion,
                        String domain, long modelVersion, String docString, OnnxGraph graph,
                        Map<String, String> metadata) {
    public OnnxModel {
        opsets = List.copyOf(opsets);
        Objects.requireNonNull(producerName, "producerName");
        Objects.requireNonNull(producerVersion, "producerVersion");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(docString, "docString");
        Objects.requireNonNull(graph, "graph");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The version of the default ({@code ai.onnx}) operator set, or -1 when the model imports none. */
    public long defaultOpsetVersion() {
        for (OpsetId id : opsets) {
            if (id.isDefaultDomain()) {
                return id.version();
            }
        }
        return -1;
    }
}
