package io.jqi.onnx.proto;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A node attribute ({@code AttributeProto}). Only the field its {@link #type()} selects is meaningful; the others
 * hold their defaults: 0 for {@code f} and {@code i}, empty arrays and lists, and {@code null} for {@code t} and
 * {@code g}. ({@code s} is never null: an empty array when unused.) Graph lists ({@code graphs}), sparse tensors and
 * type protos are outside jqi's subset.
 */
public record OnnxAttribute(String name, AttributeType type, float f, long i, byte[] s, OnnxTensor t, OnnxGraph g,
                            float[] floats, long[] ints, List<byte[]> strings, List<OnnxTensor> tensors) {
    public OnnxAttribute {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        s = s == null ? new byte[0] : s;
        floats = floats == null ? new float[0] : floats;
        ints = ints == null ? new long[0] : ints;
        strings = strings == null ? List.of() : List.copyOf(strings);
        tensors = tensors == null ? List.of() : List.copyOf(tensors);
    }

    public static OnnxAttribute ofFloat(String name, float value) {
        return new OnnxAttribute(name, AttributeType.FLOAT, value, 0, null, null, null, null, null, null, null);
    }

    public static OnnxAttribute ofInt(String name, long value) {
        return new OnnxAttribute(name, AttributeType.INT, 0, value, null, null, null, null, null, null, null);
    }

    public static OnnxAttribute ofString(String name, String value) {
        return new OnnxAttribute(name, AttributeType.STRING, 0, 0, value.getBytes(StandardCharsets.UTF_8), null, null,
                null, null, null, null);
    }

    public static OnnxAttribute ofTensor(String name, OnnxTensor value) {
        return new OnnxAttribute(name, AttributeType.TENSOR, 0, 0, null, Objects.requireNonNull(value), null, null,
                null, null, null);
    }

    public static OnnxAttribute ofGraph(String name, OnnxGraph value) {
        return new OnnxAttribute(name, AttributeType.GRAPH, 0, 0, null, null, Objects.requireNonNull(value), null,
                null, null, null);
    }

    public static OnnxAttribute ofFloats(String name, float... values) {
        return new OnnxAttribute(name, AttributeType.FLOATS, 0, 0, null, null, null, values.clone(), null, null,
                null);
    }

    public static OnnxAttribute ofInts(String name, long... values) {
        return new OnnxAttribute(name, AttributeType.INTS, 0, 0, null, null, null, null, values.clone(), null, null);
    }

    public static OnnxAttribute ofStrings(String name, String... values) {
        List<byte[]> bytes = new ArrayList<>();
        for (String v : values) {
            bytes.add(v.getBytes(StandardCharsets.UTF_8));
        }
        return new OnnxAttribute(name, AttributeType.STRINGS, 0, 0, null, null, null, null, null, bytes, null);
    }

    /** {@code s} decoded as UTF-8. */
    public String stringValue() {
        return new String(s, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OnnxAttribute a)) {
            return false;
        }
        if (strings.size() != a.strings.size()) {
            return false;
        }
        for (int k = 0; k < strings.size(); k++) {
            if (!Arrays.equals(strings.get(k), a.strings.get(k))) {
                return false;
            }
        }
        return name.equals(a.name) && type == a.type && Float.compare(f, a.f) == 0 && i == a.i
                && Arrays.equals(s, a.s) && Objects.equals(t, a.t) && Objects.equals(g, a.g)
                && Arrays.equals(floats, a.floats) && Arrays.equals(ints, a.ints) && tensors.equals(a.tensors);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(name, type, f, i, t, g, tensors);
        h = 31 * h + Arrays.hashCode(s);
        h = 31 * h + Arrays.hashCode(floats);
        h = 31 * h + Arrays.hashCode(ints);
        for (byte[] str : strings) {
            h = 31 * h + Arrays.hashCode(str);
        }
        return h;
    }

    @Override
    public String toString() {
        String value = switch (type) {
            case FLOAT -> Float.toString(f);
            case INT -> Long.toString(i);
            case STRING -> "\"" + stringValue() + "\"";
            case TENSOR -> String.valueOf(t);
            case GRAPH -> g == null ? "null" : "graph " + g.name();
            case FLOATS -> Arrays.toString(floats);
            case INTS -> Arrays.toString(ints);
            case STRINGS -> strings.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList().toString();
            case TENSORS -> tensors.toString();
            default -> type.toString();
        };
        return name + "=" + value;
    }
}
