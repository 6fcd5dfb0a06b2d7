package io.jqi.onnx.proto;

/** ONNX attribute kinds ({@code AttributeProto.AttributeType}) and their codes. */
public enum AttributeType {
    UNDEFINED(0),
    FLOAT(1),
    INT(2),
    STRING(3),
    TENSOR(4),
    GRAPH(5),
    FLOATS(6),
    INTS(7),
    STRINGS(8),
    TENSORS(9),
    GRAPHS(10),
    SPARSE_TENSOR(11),
    SPARSE_TENSORS(12),
    TYPE_PROTO(13),
    TYPE_PROTOS(14);

    private static final AttributeType[] BY_CODE = values();

    private final int code;

    AttributeType(int code) {
        this.code = code;
    }

    /** The {@code AttributeProto.AttributeType} code. */
    public int code() {
        return code;
    }

    /** The type with the given code; an unknown code is an {@link IllegalArgumentException}. */
    public static AttributeType of(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("unknown ONNX attribute type code " + code);
        }
        return BY_CODE[code];
    }
}
