package io.jqi.onnx.proto;

import java.util.List;
import java.util.Objects;

/**
 * A graph input, output or intermediate value's declared type ({@code ValueInfoProto} with a tensor
 * {@code TypeProto}). Values of non-tensor types (sequences, maps) read as {@link DataType#UNDEFINED} with an
 * unknown rank.
 *
 * @param name     the value's name
 * @param elemType the element type, {@link DataType#UNDEFINED} when not declared
 * @param shape    the declared dimensions, or {@code null} when the rank is unknown
 */
public record OnnxValueInfo(String name, DataType elemType, List<Dim> shape) {
    public OnnxValueInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(elemType, "elemType");
        shape = shape == null ? null : List.copyOf(shape);
    }

    /** A float tensor value with fixed dimensions. */
    public static OnnxValueInfo ofFloat(String name, long... dims) {
        return new OnnxValueInfo(name, DataType.FLOAT, java.util.Arrays.stream(dims).mapToObj(Dim::of).toList());
    }
}
