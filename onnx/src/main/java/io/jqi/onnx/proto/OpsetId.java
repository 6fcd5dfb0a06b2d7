package io.jqi.onnx.proto;

import java.util.Objects;

/**
 * One entry of a model's {@code opset_import}: the operator set version a model uses for a domain.
 *
 * @param domain  the operator domain; {@code ""} is the default {@code ai.onnx} domain
 * @param version the operator set version
 */
public record OpsetId(String domain, long version) {
    public OpsetId {
        Objects.requireNonNull(domain, "domain");
    }

    /** Whether this is the default ({@code ai.onnx}) domain, which ONNX spells {@code ""} or {@code "ai.onnx"}. */
    public boolean isDefaultDomain() {
        return domain.isEmpty() || domain.equals("ai.onnx");
    }
}
