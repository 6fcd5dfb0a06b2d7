package io.jqi.onnx;

import io.jqi.grid.AffineGrid;
import io.jqi.nn.QuantizeDequantize;
import io.jqi.onnx.NodeContext.Operand;
import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.OnnxTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * QuantizeLinear and DequantizeLinear (opsets 10 to 21) as jqi reads them. jqi's tensors are float, so integers
 * exist only at import: a DequantizeLinear of a constant folds to the float constant ONNX defines, a QuantizeLinear
 * of a constant folds to its integers, and {@code QuantizeLinear -> [Clip] -> DequantizeLinear} on a computed value
 * becomes one {@link QuantizeDequantize} layer. The integers of a computed QuantizeLinear are held here as a
 * {@link Quantized} until the DequantizeLinear that ends the chain; anything else that reads them is refused.
 *
 * <p>Arithmetic, in float32 as ONNX specifies and ONNX Runtime computes: QuantizeLinear
 * {@code saturate(rint(x / scale) + zp)} (ties to even, IEEE division); DequantizeLinear {@code (x - zp) * scale},
 * the difference taken in integers and converted to float before the one rounding multiplication.
 */
final class QdqLowering {
    private QdqLowering() {
    }

    /**
     * The parameters of one QuantizeLinear or DequantizeLinear.
     *
     * @param scales     one per tensor, or one per index of {@code axis}
     * @param zeroPoints as many as scales (0 when the input is omitted)
     * @param type       the integer type (the zero point's, else {@code output_dtype}'s, else UINT8)
     * @param axis       the channel axis as written (negative allowed), or null per tensor
     */
    record Params(float[] scales, long[] zeroPoints, DataType type, Integer axis) {
        boolean sameAs(Params o) {
            return Arrays.equals(scales, o.scales) && Arrays.equals(zeroPoints, o.zeroPoints) && type == o.type
                    && java.util.Objects.equals(axis, o.axis);
        }

        @Override
        public String toString() {
            return "scale " + Arrays.toString(scales) + ", zero point " + Arrays.toString(zeroPoints) + " (" + type
                    + ")" + (axis == null ? "" : ", axis " + axis);
        }
    }

    /**
     * The integers of a QuantizeLinear of a computed value, not yet dequantized.
     *
     * @param source   the ONNX name of the float value quantized
     * @param params   the QuantizeLinear's parameters
     * @param qmin     the lowest integer, the type's or a Clip's
     * @param qmax     the highest integer
     * @param producer the QuantizeLinear node, for errors
     */
    record Quantized(String source, Params params, long qmin, long qmax, String producer) {
    }

    /** The range of each integer type QuantizeLinear and DequantizeLinear take; null for other types. */
    static long[] range(DataType t) {
        return switch (t) {
            case INT4 -> new long[] {-8, 7};
            case UINT4 -> new long[] {0, 15};
            case INT8 -> new long[] {-128, 127};
            case UINT8 -> new long[] {0, 255};
            case INT16 -> new long[] {-32768, 32767};
            case UINT16 -> new long[] {0, 65535};
            case INT32 -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
            default -> null;
        };
    }

    /**
     * Reads scale, zero point, axis and type; refuses what jqi cannot compute exactly. {@code input} is a
     * DequantizeLinear's integer type, which is its type when the zero point is omitted; null for QuantizeLinear,
     * whose type is then {@code output_dtype}'s or UINT8.
     */
    static Params params(NodeContext c, DataType input) {
        boolean quantize = input == null;
        long blockSize = c.intAttr("block_size", 0);
        if (blockSize != 0) {
            throw c.fail("block_size " + blockSize + " (blocked quantization) is not supported; jqi reads per-tensor "
                    + "and per-axis scales (block_size 0)");
        }
        OnnxTensor scale = c.constant(1, quantize ? "y_scale" : "x_scale");
        if (scale.dataType() != DataType.FLOAT) {
            throw c.fail("its scale is " + scale.dataType() + "; jqi reads FLOAT scales (its output would be "
                    + scale.dataType() + ", and jqi computes in float32)");
        }
        float[] scales = scale.toFloats();
        long[] zeroPoints = new long[scales.length];
        DataType type = quantize ? DataType.UINT8 : input;
        long outputDtype = quantize ? c.intAttr("output_dtype", 0) : 0;
        if (outputDtype != 0) {
            try {
                type = DataType.of(c.toInt(outputDtype, "output_dtype"));
            } catch (IllegalArgumentException e) {
                throw c.fail("output_dtype " + outputDtype + " is not an ONNX type");
            }
        }
        if (c.input(2).present()) {
            OnnxTensor zp = c.constant(2, quantize ? "y_zero_point" : "x_zero_point");
            if (outputDtype != 0 && zp.dataType() != type) {
                throw c.fail("output_dtype " + type + " differs from the zero point's type " + zp.dataType());
            }
            type = zp.dataType();
            if (!Arrays.equals(zp.dims(), scale.dims())) {
                throw c.fail("its zero point has dims " + Arrays.toString(zp.dims()) + " but its scale "
                        + Arrays.toString(scale.dims()) + "; ONNX requires the same shape");
            }
            if (range(type) != null) {
                zeroPoints = zp.toLongs();
            }
        }
        if (range(type) == null || quantize && type == DataType.INT32) {
            throw c.fail("its integer type is " + type + "; jqi reads " + (quantize ? "" : "int32, ")
                    + "int16, uint16, int8, uint8, int4 and uint4 (float8 types are not supported)");
        }
        long[] r = range(type);
        for (long z : zeroPoints) {
            if (z < r[0] || z > r[1]) {
                throw c.fail("zero point " + z + " is outside " + type + "'s range");
            }
        }
        Integer axis = null;
        if (scale.dims().length > 1) {
            throw c.fail("its scale has dims " + Arrays.toString(scale.dims()) + "; ONNX takes a scalar (per tensor) or "
                    + "a 1-D scale (per axis)");
        }
        if (scale.dims().length == 1 && scales.length != 1) {
            if (c.opVersion() < 13) {
                throw c.fail("a 1-D scale (per axis) needs opset 13 or newer; opset " + c.opset + " is per tensor only");
            }
            axis = c.toInt(c.intAttr("axis", 1), "axis");
        } else if (scales.length == 0) {
            throw c.fail("its scale is empty");
        }
        return new Params(scales, zeroPoints, type, axis);
    }

    /** The channel of each element of a tensor of {@code dims} (all 0 per tensor). */
    private static int[] channels(NodeContext c, long[] dims, Params p) {
        int n = Math.toIntExact(OnnxTensor.numel(dims));
        int[] out = new int[n];
        if (p.axis() == null) {
            return out;
        }
        int rank = dims.length;
        int axis = p.axis() < 0 ? p.axis() + rank : p.axis();
        if (axis < 0 || axis >= rank) {
            throw c.fail("axis " + p.axis() + " is outside a tensor of rank " + rank);
        }
        if (dims[axis] != p.scales().length) {
            throw c.fail("it has " + p.scales().length + " scales for axis " + p.axis() + " of dims "
                    + Arrays.toString(dims));
        }
        long inner = 1;
        for (int i = axis + 1; i < rank; i++) {
            inner *= dims[i];
        }
        for (int i = 0; i < n; i++) {
            out[i] = (int) ((i / inner) % dims[axis]);
        }
        return out;
    }

    /** A DequantizeLinear of a constant: the float tensor {@code (x - zp) * scale}. */
    static OnnxTensor dequantizeConstant(NodeContext c) {
        OnnxTensor x = c.constant(0, "x");
        Params p = params(c, x.dataType());
        if (x.dataType() != p.type()) {
            throw c.fail("its input is " + x.dataType() + " but its zero point " + p.type());
        }
        long[] q = x.toLongs();
        int[] channel = channels(c, x.dims(), p);
        float[] out = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            int k = channel[i];
            // ONNX Runtime subtracts in int32 and converts once; the difference of int32s fits a long exactly.
            out[i] = (float) (q[i] - p.zeroPoints()[k]) * p.scales()[k];
        }
        return OnnxTensor.ofFloats(c.node.outputs().get(0), x.dims(), out);
    }

    /** A QuantizeLinear of a constant: its integers, in the zero point's type. */
    static OnnxTensor quantizeConstant(NodeContext c) {
        OnnxTensor x = c.constant(0, "x");
        Params p = params(c, null);
        float[] v = Tensors.toTensor(x, c).toFloatArray();
        int[] channel = channels(c, x.dims(), p);
        long[] r = range(p.type());
        long[] q = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            if (Float.isNaN(v[i])) {
                throw c.fail("its constant input holds NaN, which has no integer (ONNX leaves the result undefined)");
            }
            int k = channel[i];
            q[i] = (long) AffineGrid.code(v[i], p.scales()[k], p.zeroPoints()[k], r[0], r[1]);
        }
        return integers(c.node.outputs().get(0), p.type(), x.dims(), q);
    }

    /** The integers of a QuantizeLinear of a computed value, until a DequantizeLinear ends the chain. */
    static Quantized quantize(NodeContext c) {
        Params p = params(c, null);
        long[] r = range(p.type());
        return new Quantized(c.input(0).name(), p, r[0], r[1], c.describe());
    }

    /** A Clip of QuantizeLinear's integers: the range narrowed by its constant bounds, of the integers' type. */
    static Quantized clip(NodeContext c, Quantized q) {
        long lo = q.qmin();
        long hi = q.qmax();
        for (int i = 1; i <= 2; i++) {
            Operand bound = c.input(i);
            if (!bound.present()) {
                continue;
            }
            OnnxTensor t = c.constant(i, i == 1 ? "min" : "max");
            if (t.dataType() != q.params().type() || t.numel() != 1) {
                throw c.fail("its " + (i == 1 ? "min" : "max") + " must be one " + q.params().type() + " value, as its "
                        + "input (the integers of " + q.producer() + "); got " + t.dataType() + " of dims "
                        + Arrays.toString(t.dims()));
            }
            long v = t.toLongs()[0];
            lo = i == 1 ? Math.max(lo, v) : lo;
            hi = i == 2 ? Math.min(hi, v) : hi;
        }
        if (lo > hi) {
            throw c.fail("its integer range [" + lo + ", " + hi + "] is empty");
        }
        return new Quantized(q.source(), q.params(), lo, hi, q.producer());
    }

    /**
     * The DequantizeLinear that ends a chain: one layer, with the QuantizeLinear's parameters; {@code shape} is the
     * quantized value's static shape where known (-1 for unknown dimensions), against which a per-axis layer's axis
     * and channel count are checked at import rather than at run time.
     */
    static QuantizeDequantize dequantize(NodeContext c, Quantized q, long[] shape) {
        Params p = params(c, q.params().type());
        if (p.axis() != null && shape != null) {
            int axis = p.axis() < 0 ? p.axis() + shape.length : p.axis();
            if (axis < 0 || axis >= shape.length) {
                throw c.fail("axis " + p.axis() + " is outside its input of rank " + shape.length);
            }
            if (shape[axis] >= 0 && shape[axis] != p.scales().length) {
                throw c.fail("it has " + p.scales().length + " scales for axis " + p.axis() + " of an input with "
                        + "dims " + Arrays.toString(shape));
            }
        }
        if (!p.sameAs(q.params())) {
            throw c.fail("its " + p + " differ from those of " + q.producer() + " (" + q.params() + "); jqi imports "
                    + "QuantizeLinear -> DequantizeLinear pairs with the same scale, zero point and axis");
        }
        for (float s : p.scales()) {
            if (!(s > 0f) || Float.isInfinite(s)) {
                throw c.fail("its scale " + s + " is not finite and positive; it defines no quantization grid");
            }
        }
        int[] zp = new int[p.zeroPoints().length];
        for (int i = 0; i < zp.length; i++) {
            zp[i] = (int) p.zeroPoints()[i]; // QuantizeLinear's types are 16 bits at most
        }
        int qmin = (int) q.qmin();
        int qmax = (int) q.qmax();
        return p.axis() == null ? QuantizeDequantize.perTensor(p.scales()[0], zp[0], qmin, qmax)
                : QuantizeDequantize.perAxis(p.scales(), zp, p.axis(), qmin, qmax);
    }

    /** An integer tensor of {@code type} (one of QuantizeLinear's output types). */
    private static OnnxTensor integers(String name, DataType type, long[] dims, long[] q) {
        byte[] small = new byte[q.length];
        for (int i = 0; i < q.length; i++) {
            small[i] = (byte) q[i];
        }
        return switch (type) {
            case INT4 -> OnnxTensor.ofInt4(name, dims, small);
            case UINT4 -> OnnxTensor.ofUint4(name, dims, small);
            case INT8 -> OnnxTensor.ofInt8(name, dims, small);
            case UINT8 -> OnnxTensor.ofUint8(name, dims, small);
            default -> {
                ByteBuffer b = ByteBuffer.allocate(q.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (long v : q) {
                    b.putShort((short) v);
                }
                yield new OnnxTensor(name, type, dims.clone(), b.array());
            }
        };
    }
}
