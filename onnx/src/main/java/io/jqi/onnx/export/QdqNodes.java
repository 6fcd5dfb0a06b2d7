package io.jqi.onnx.export;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
import io.jqi.grid.LutGrid;
import io.jqi.nn.QuantizeDequantize;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.WeightsInferableQuantizer;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Quantizers as standard {@code QuantizeLinear}/{@code DequantizeLinear} nodes (see {@link QdqParameters}). */
final class QdqNodes {
    private QdqNodes() {
    }

    /**
     * {@code QuantizeLinear -> [Clip] -> DequantizeLinear} on activation {@code x}; the Clip, on the integer tensor,
     * narrows the storage type's saturation to the quantizer's n-bit range. ONNX Runtime has no Clip kernel for 16-bit
     * integers, so quantizers of 9 to 15 bits clip the float input instead, to {@code (qmin - zp) * scale} and
     * {@code (qmax - zp) * scale}: a value beyond a bound becomes the bound, which divides back to within an ulp of
     * the bound's integer and so rounds to it, and values inside are untouched, so the integers are the same.
     */
    static String activation(GraphWriter g, String x, InferableQuantizer q, String hint, String where) {
        if (q.grid() instanceof LutGrid lut) {
            return LutActivationNodes.write(g, x, lut, hint);
        }
        QdqParameters p = QdqParameters.of(q, 0, where);
        QdqType type = p.activationType();
        long[] scalar = new long[0];
        String scale = g.floats(hint + "_scale", scalar, p.scales());
        String zeroPoint = g.integers(hint + "_zero_point", type, scalar, p.zeroPoints());
        boolean clip = p.needsClip(type);
        String input = x;
        if (clip && type.bits() > 8) {
            float step = p.scales()[0];
            int zp = p.zeroPoints()[0];
            String lo = g.floats(hint + "_lo", scalar, new float[] {AffineGrid.nudgedMin(step, zp, p.qmin())});
            String hi = g.floats(hint + "_hi", scalar, new float[] {AffineGrid.nudgedMax(step, zp, p.qmax())});
            input = g.node("Clip", hint + "_clipped_input", List.of(x, lo, hi));
        }
        String integers = g.node("QuantizeLinear", hint + "_quantized", List.of(input, scale, zeroPoint));
        if (clip && type.bits() <= 8) {
            String min = g.integers(hint + "_qmin", type, scalar, new int[] {p.qmin()});
            String max = g.integers(hint + "_qmax", type, scalar, new int[] {p.qmax()});
            integers = g.node("Clip", hint + "_clipped", List.of(integers, min, max));
        }
        return g.node("DequantizeLinear", hint, List.of(integers, scale, zeroPoint));
    }

    /**
     * An imported model's {@link QuantizeDequantize} as the chain it came from: {@code QuantizeLinear -> [Clip] ->
     * DequantizeLinear} in the narrowest type (8 bits at least) holding its range and zero points, with a Clip on
     * the integers where the range is narrower than the type's. Both compute the layer's arithmetic, NaN included
     * (ONNX Runtime's type minimum, raised to the Clip's). ONNX Runtime has no Clip for 16-bit integers, so a range
     * narrower than a 16-bit type is refused.
     */
    static String quantizeDequantize(GraphWriter g, String x, QuantizeDequantize q, String hint, String where) {
        int[] zeroPoints = q.zeroPoints();
        int lo = q.qmin();
        int hi = q.qmax();
        for (int z : zeroPoints) {
            lo = Math.min(lo, z);
            hi = Math.max(hi, z);
        }
        QdqType type = QdqType.holding(lo, hi, 8);
        boolean clip = q.qmin() > type.min() || q.qmax() < type.max();
        if (clip && type.bits() > 8) {
            throw new OnnxExportException(where + ": its integer range [" + q.qmin() + ", " + q.qmax() + "] is "
                    + "narrower than " + type + "'s, which would need a Clip on 16-bit integers (ONNX Runtime has none)");
        }
        long[] paramDims = q.perAxis() ? new long[] {zeroPoints.length} : new long[0];
        String scale = g.floats(hint + "_scale", paramDims, q.scales());
        String zeroPoint = g.integers(hint + "_zero_point", type, paramDims, zeroPoints);
        OnnxAttribute[] attributes = q.perAxis() ? new OnnxAttribute[] {OnnxAttribute.ofInt("axis", q.axis())}
                : new OnnxAttribute[0];
        String integers = g.node("QuantizeLinear", hint + "_quantized", List.of(x, scale, zeroPoint), attributes);
        if (clip) {
            long[] scalar = new long[0];
            String min = g.integers(hint + "_qmin", type, scalar, new int[] {q.qmin()});
            String max = g.integers(hint + "_qmax", type, scalar, new int[] {q.qmax()});
            integers = g.node("Clip", hint + "_clipped", List.of(integers, min, max));
        }
        return g.node("DequantizeLinear", hint, List.of(integers, scale, zeroPoint), attributes);
    }

    /**
     * The weight stored as integers and a {@code DequantizeLinear} in front of the layer. {@code quantized} is what
     * jqi's wrapper feeds the layer; the integers are checked to dequantize to it bit for bit, so an export that
     * would change a weight fails here rather than in a runtime.
     */
    static String weights(GraphWriter g, Tensor weight, Tensor quantized, WeightsInferableQuantizer q, String hint,
            String where) {
        Shape shape = weight.shape();
        QdqParameters p = QdqParameters.of(q, shape.rank(), where);
        ChannelLayout layout = p.perChannel() ? ChannelLayout.around(shape.toArray(), p.axis())
                : ChannelLayout.perTensor(shape.numel());
        if (layout.channels() != p.scales().length) {
            throw new OnnxExportException(where + ": the quantizer has " + p.scales().length + " channels but the "
                    + "weight " + shape + " has " + layout.channels());
        }
        int[] codes = p.quantize(weight.toFloatArray(), layout, where);
        requireSameValues(p, codes, layout, quantized.toFloatArray(), where);
        QdqType type = p.weightType();
        long[] dims = dims(shape);
        long[] paramDims = p.perChannel() ? new long[] {p.scales().length} : new long[0];
        String integers = g.integers(hint + "_quantized", type, dims, codes);
        String scale = g.floats(hint + "_scale", paramDims, p.scales());
        String zeroPoint = g.integers(hint + "_zero_point", type, paramDims, p.zeroPoints());
        List<OnnxAttribute> attributes = new ArrayList<>();
        if (p.perChannel()) {
            attributes.add(OnnxAttribute.ofInt("axis", p.axis()));
        }
        return g.node("DequantizeLinear", hint, List.of(integers, scale, zeroPoint),
                attributes.toArray(new OnnxAttribute[0]));
    }

    private static void requireSameValues(QdqParameters p, int[] codes, ChannelLayout layout, float[] expected,
            String where) {
        layout.forEachRun((c, from, to) -> {
            for (int i = from; i < to; i++) {
                float dequantized = p.dequantize(codes[i], c);
                if (Float.floatToRawIntBits(dequantized) != Float.floatToRawIntBits(expected[i])) {
                    throw new OnnxExportException(where + ": weight element " + i + " dequantizes to " + dequantized
                            + " in QDQ form but jqi quantizes it to " + expected[i] + "; this quantizer has no exact "
                            + "QDQ form, export with --format onnx-mctq");
                }
            }
        });
    }

    static long[] dims(Shape shape) {
        long[] dims = new long[shape.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.dim(i);
        }
        return dims;
    }
}
