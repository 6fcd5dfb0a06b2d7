package io.jqi.onnx.proto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense ONNX tensor ({@code TensorProto}) in one canonical form: its data is always the little-endian raw layout,
 * whichever field it was stored in (the reader converts {@code float_data}, {@code int32_data}, {@code int64_data},
 * {@code double_data} and {@code uint64_data} to it), and 4-bit types hold two values per byte, low nibble first, as
 * the ONNX spec packs them. The constructor checks that the data length matches the dimensions, so a tensor that
 * exists is consistent.
 *
 * <p>The arrays are not copied (initializers can be large): callers must not change them after construction.
 *
 * @param name     the tensor's name ({@code ""} when it has none)
 * @param dataType the element type
 * @param dims     the dimensions, each {@code >= 0}; empty for a scalar
 * @param rawData  the elements in the little-endian raw layout
 */
public record OnnxTensor(String name, DataType dataType, long[] dims, byte[] rawData) {
    /** The largest rank a tensor may have; deeper ones are refused as corrupt. */
    public static final int MAX_RANK = 16;

    public OnnxTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dataType, "dataType");
        Objects.requireNonNull(dims, "dims");
        Objects.requireNonNull(rawData, "rawData");
        if (dataType.bits() == 0) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dataType + " tensors are not supported");
        }
        long expected = dataType.rawBytes(numel(dims));
        if (expected != rawData.length) {
            throw new IllegalArgumentException("tensor '" + name + "' of " + dataType + " with dims "
                    + Arrays.toString(dims) + " needs " + expected + " bytes of data, not " + rawData.length);
        }
    }

    /** Elements a tensor of these dimensions holds; negative dimensions, a rank over 16 or overflow are refused. */
    public static long numel(long[] dims) {
        if (dims.length > MAX_RANK) {
            throw new IllegalArgumentException("rank " + dims.length + " exceeds the limit of " + MAX_RANK);
        }
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d + " in " + Arrays.toString(dims));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("dimensions " + Arrays.toString(dims) + " overflow an element count");
            }
        }
        return n;
    }

    /** The number of elements (1 for a scalar). */
    public long numel() {
        return numel(dims);
    }

    /** A FLOAT tensor. */
    public static OnnxTensor ofFloats(String name, long[] dims, float[] v) {
        ByteBuffer b = little(v.length * 4L);
        for (float x : v) {
            b.putFloat(x);
        }
        return new OnnxTensor(name, DataType.FLOAT, dims.clone(), b.array());
    }

    /** An INT8 tensor. */
    public static OnnxTensor ofInt8(String name, long[] dims, byte[] v) {
        return new OnnxTensor(name, DataType.INT8, dims.clone(), v.clone());
    }

    /** A UINT8 tensor; the values 0..255 are given as (unsigned) bytes. */
    public static OnnxTensor ofUint8(String name, long[] dims, byte[] v) {
        return new OnnxTensor(name, DataType.UINT8, dims.clone(), v.clone());
    }

    /** An INT32 tensor. */
    public static OnnxTensor ofInt32(String name, long[] dims, int[] v) {
        ByteBuffer b = little(v.length * 4L);
        for (int x : v) {
            b.putInt(x);
        }
        return new OnnxTensor(name, DataType.INT32, dims.clone(), b.array());
    }

    /** An INT64 tensor. */
    public static OnnxTensor ofInt64(String name, long[] dims, long[] v) {
        ByteBuffer b = little(v.length * 8L);
        for (long x : v) {
            b.putLong(x);
        }
        return new OnnxTensor(name, DataType.INT64, dims.clone(), b.array());
    }

    /** An INT4 tensor; each value must lie in [-8, 7]. */
    public static OnnxTensor ofInt4(String name, long[] dims, byte[] v) {
        return new OnnxTensor(name, DataType.INT4, dims.clone(), packNibbles(v, -8, 7));
    }

    /** A UINT4 tensor; each value must lie in [0, 15]. */
    public static OnnxTensor ofUint4(String name, long[] dims, byte[] v) {
        return new OnnxTensor(name, DataType.UINT4, dims.clone(), packNibbles(v, 0, 15));
    }

    private static byte[] packNibbles(byte[] v, int min, int max) {
        byte[] packed = new byte[(v.length + 1) / 2];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < min || v[i] > max) {
                throw new IllegalArgumentException("4-bit value " + v[i] + " at index " + i + " is outside [" + min
                        + ", " + max + "]");
            }
            int nibble = v[i] & 0x0F;
            packed[i / 2] |= (byte) (i % 2 == 0 ? nibble : nibble << 4);
        }
        return packed;
    }

    private static ByteBuffer little(long bytes) {
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of " + bytes + " bytes is too large");
        }
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int count() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor '" + name + "' has too many elements (" + n + ") for an array");
        }
        return (int) n;
    }

    /**
     * The elements as floats: FLOAT as is, DOUBLE, FLOAT16 and BFLOAT16 converted, integer types and BOOL by value
     * (large 64-bit integers round). Other types (FLOAT8, complex) are refused.
     */
    public float[] toFloats() {
        int n = count();
        ByteBuffer b = ByteBuffer.wrap(rawData).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[n];
        switch (dataType) {
            case FLOAT -> b.asFloatBuffer().get(out);
            case DOUBLE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(i * 8);
                }
            }
            case FLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(b.getShort(i * 2));
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xFFFF) << 16);
                }
            }
            case UINT64 -> {
                for (int i = 0; i < n; i++) {
                    long v = b.getLong(i * 8);
                    // Unsigned: values at or above 2^63 read negative as a long.
                    out[i] = v >= 0 ? v : (float) (v >>> 1) * 2f;
                }
            }
            default -> {
                if (!dataType.isInteger() && dataType != DataType.BOOL) {
                    throw new UnsupportedOperationException("tensor '" + name + "': " + dataType
                            + " cannot be read as floats");
                }
                long[] longs = toLongs();
                for (int i = 0; i < n; i++) {
                    out[i] = longs[i];
                }
            }
        }
        return out;
    }

    /** The elements of an integer or BOOL tensor as longs (UINT64 values keep their bits, so 2^63 and above read negative). */
    public long[] toLongs() {
        int n = count();
        ByteBuffer b = ByteBuffer.wrap(rawData).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (dataType) {
                case INT8 -> rawData[i];
                case UINT8, BOOL -> rawData[i] & 0xFF;
                case INT16 -> b.getShort(i * 2);
                case UINT16 -> b.getShort(i * 2) & 0xFFFF;
                case INT32 -> b.getInt(i * 4);
                case UINT32 -> b.getInt(i * 4) & 0xFFFF_FFFFL;
                case INT64, UINT64 -> b.getLong(i * 8);
                case INT4 -> (byte) (nibble(i) << 4) >> 4; // sign-extends the 4-bit value
                case UINT4 -> nibble(i);
                default -> throw new UnsupportedOperationException("tensor '" + name + "': " + dataType
                        + " is not an integer type");
            };
        }
        return out;
    }

    private int nibble(int i) {
        int b = rawData[i / 2] & 0xFF;
        return i % 2 == 0 ? b & 0x0F : b >>> 4;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
        }
        if (exp == 0) {
            // Subnormal (or zero): mant * 2^-24, exact in float.
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OnnxTensor t && name.equals(t.name) && dataType == t.dataType
                && Arrays.equals(dims, t.dims) && Arrays.equals(rawData, t.rawData);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dataType, Arrays.hashCode(dims), Arrays.hashCode(rawData));
    }

    @Override
    public String toString() {
        return "OnnxTensor[" + name + ", " + dataType + ", " + Arrays.toString(dims) + ", " + rawData.length
                + " bytes]";
    }
}
