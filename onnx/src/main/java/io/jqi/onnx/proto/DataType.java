package io.jqi.onnx.proto;

/** ONNX tensor element types ({@code TensorProto.DataType}), with their codes and storage widths. */
public enum DataType {
    UNDEFINED(0, 0),
    FLOAT(1, 32),
    UINT8(2, 8),
    INT8(3, 8),
    UINT16(4, 16),
    INT16(5, 16),
    INT32(6, 32),
    INT64(7, 64),
    /** Strings have no fixed-width raw layout; jqi reads no string tensors. */
    STRING(8, 0),
    BOOL(9, 8),
    FLOAT16(10, 16),
    DOUBLE(11, 64),
    UINT32(12, 32),
    UINT64(13, 64),
    COMPLEX64(14, 64),
    COMPLEX128(15, 128),
    BFLOAT16(16, 16),
    FLOAT8E4M3FN(17, 8),
    FLOAT8E4M3FNUZ(18, 8),
    FLOAT8E5M2(19, 8),
    FLOAT8E5M2FNUZ(20, 8),
    /** Two values per byte, low nibble first. */
    UINT4(21, 4),
    /** Two values per byte, low nibble first. */
    INT4(22, 4);

    private static final DataType[] BY_CODE = values();

    private final int code;
    private final int bits;

    DataType(int code, int bits) {
        this.code = code;
        this.bits = bits;
    }

    /** The {@code TensorProto.DataType} code. */
    public int code() {
        return code;
    }

    /** Bits one element takes in the raw layout; 0 for types without one (UNDEFINED, STRING). */
    public int bits() {
        return bits;
    }

    /** Whether this is one of the (signed or unsigned) integer types, bool not included. */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32, UINT64, UINT4, INT4 -> true;
            default -> false;
        };
    }

    /** Bytes of raw data that {@code numel} elements take (4-bit types round up to whole bytes). */
    public long rawBytes(long numel) {
        if (bits == 0) {
            throw new IllegalStateException(this + " has no raw layout");
        }
        return bits == 4 ? (numel + 1) / 2 : Math.multiplyExact(numel, bits / 8);
    }

    /** The type with the given code; an unknown code is an {@link IllegalArgumentException}. */
    public static DataType of(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("unknown ONNX tensor data type code " + code);
        }
        return BY_CODE[code];
    }
}
