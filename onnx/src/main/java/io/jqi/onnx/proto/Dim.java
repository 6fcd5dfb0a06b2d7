package io.jqi.onnx.proto;

/**
 * One dimension of a value's declared shape ({@code TensorShapeProto.Dimension}).
 *
 * @param value the size, or -1 when it is symbolic or unknown
 * @param param the symbolic name ({@code dim_param}), or {@code null} when there is none
 */
public record Dim(long value, String param) {
    public Dim {
        if (value < -1) {
            throw new IllegalArgumentException("a dimension is -1 (unknown) or >= 0, not " + value);
        }
    }

    /** A fixed size. */
    public static Dim of(long value) {
        return new Dim(value, null);
    }

    /** A symbolic size such as {@code "N"}. */
    public static Dim symbolic(String param) {
        return new Dim(-1, param);
    }

    /** Whether the size is a known number. */
    public boolean isKnown() {
        return value >= 0;
    }

    @Override
    public String toString() {
        return value >= 0 ? Long.toString(value) : param != null ? param : "?";
    }
}
