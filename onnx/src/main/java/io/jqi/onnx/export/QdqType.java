package io.jqi.onnx.export;

/**
 * The integer element types QuantizeLinear and DequantizeLinear take at opset 21, with the range they saturate to.
 * The 4-bit types are what opset 21 added (packed two to a byte); jqi stores weights in them when they fit.
 */
enum QdqType {
    INT4(-8, 7),
    UINT4(0, 15),
    INT8(-128, 127),
    UINT8(0, 255),
    INT16(-32768, 32767),
    UINT16(0, 65535);

    private final int min;
    private final int max;

    QdqType(int min, int max) {
        this.min = min;
        this.max = max;
    }

    int min() {
        return min;
    }

    int max() {
        return max;
    }

    boolean signed() {
        return min < 0;
    }

    /**
     * The narrowest type of at least {@code minBits} bits whose range holds {@code [qmin, qmax]}, signed when
     * {@code qmin < 0}.
     */
    static QdqType holding(int qmin, int qmax, int minBits) {
        boolean signed = qmin < 0;
        for (QdqType t : values()) {
            if (t.signed() == signed && t.bits() >= minBits && t.min <= qmin && qmax <= t.max) {
                return t;
            }
        }
        throw new OnnxExportException("No QDQ integer type holds [" + qmin + ", " + qmax + "]");
    }

    int bits() {
        return switch (this) {
            case INT4, UINT4 -> 4;
            case INT8, UINT8 -> 8;
            case INT16, UINT16 -> 16;
        };
    }
}
