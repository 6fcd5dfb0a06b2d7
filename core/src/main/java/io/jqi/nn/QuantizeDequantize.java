package io.jqi.nn;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
import io.jqi.tensor.Tensor;
import java.util.Arrays;

/**
 * ONNX's {@code QuantizeLinear -> [Clip] -> DequantizeLinear} on an activation, in float32 with ONNX's operations in
 * ONNX's order: {@code q = clamp(rint(x / scale) + zp, qmin, qmax)} (ties to even), output {@code (q - zp) * scale}.
 * {@code [qmin, qmax]} is the integer type's range, narrowed by the Clip on the integers when the chain has one. The
 * importer creates it for the QDQ form of already-quantized models (jqi's own {@code onnx-qdq} exports among them);
 * it is {@link AffineGrid}'s arithmetic, so it computes the bits jqi's quantizers and ONNX Runtime compute.
 *
 * <p>Per tensor (one scale and zero point) or per axis (one per index of {@code axis}, which may be negative).
 * NaN: QuantizeLinear has no integer for it and ONNX leaves the result undefined; ONNX Runtime on x86-64 gives the
 * integer type's minimum (its float-to-int conversion yields INT_MIN, which saturates), which a Clip then raises to
 * its own minimum, so NaN becomes {@code qmin} here too and the model computes what ONNX Runtime computes (measured
 * in {@code SingleQuantizerOrtTest}). jqi's quantizers keep NaN instead: that is the one input on which an imported
 * QDQ model and the jqi model it was exported from differ (docs/onnx.md).
 *
 * <p>Backward: straight through where {@code rint(x / scale) + zp} lies inside {@code [qmin, qmax]}, zero where it
 * saturates (and for NaN), the usual estimator of quantization-aware training, so a model holding the layer can be
 * fine-tuned. It has no trainable parameters: its scales and zero points are fixed, as the file gives them.
 */
public final class QuantizeDequantize extends Module {
    private final float[] scales;
    private final int[] zeroPoints;
    private final int qmin;
    private final int qmax;
    /** The channel axis; null per tensor. */
    private final Integer axis;

    private QuantizeDequantize(float[] scales, int[] zeroPoints, int qmin, int qmax, Integer axis) {
        if (scales.length == 0 || scales.length != zeroPoints.length) {
            throw new IllegalArgumentException("QuantizeDequantize needs as many zero points as scales (at least one), "
                    + "got " + scales.length + " and " + zeroPoints.length);
        }
        if (axis == null && scales.length != 1) {
            throw new IllegalArgumentException("a per-tensor QuantizeDequantize has one scale, got " + scales.length);
        }
        for (float s : scales) {
            // ONNX leaves a zero, negative or non-finite scale undefined; dividing by one gives no quantization grid.
            if (!(s > 0f) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("QuantizeDequantize scales must be finite and > 0, got "
                        + Arrays.toString(scales));
            }
        }
        if (qmin > qmax) {
            throw new IllegalArgumentException("QuantizeDequantize needs qmin <= qmax, got [" + qmin + ", " + qmax + "]");
        }
        this.scales = scales.clone();
        this.zeroPoints = zeroPoints.clone();
        this.qmin = qmin;
        this.qmax = qmax;
        this.axis = axis;
    }

    /** One scale and zero point for the whole tensor; integers saturate to {@code [qmin, qmax]}. */
    public static QuantizeDequantize perTensor(float scale, int zeroPoint, int qmin, int qmax) {
        return new QuantizeDequantize(new float[] {scale}, new int[] {zeroPoint}, qmin, qmax, null);
    }

    /** One scale and zero point per index of {@code axis}. */
    public static QuantizeDequantize perAxis(float[] scales, int[] zeroPoints, int axis, int qmin, int qmax) {
        return new QuantizeDequantize(scales, zeroPoints, qmin, qmax, axis);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        Tensor x = singleInput(inputs);
        ChannelLayout layout;
        if (axis == null) {
            layout = ChannelLayout.perTensor(x.shape().numel());
        } else {
            layout = ChannelLayout.around(x.shape().toArray(), axis);
            if (layout.channels() != scales.length) {
                throw new IllegalArgumentException("QuantizeDequantize on axis " + axis + " has " + scales.length
                        + " scales, but the input " + x.shape() + " has " + layout.channels() + " there");
            }
        }
        float[] in = x.toFloatArray();
        float[] out = new float[in.length];
        float lo = qmin;
        float hi = qmax;
        layout.forEachRun((c, from, to) -> {
            float step = scales[c];
            float zp = zeroPoints[c]; // integers of 16 bits and fewer: exact in float
            float nan = AffineGrid.nudgedMin(step, zp, lo); // qmin dequantized (see NaN above)
            for (int i = from; i < to; i++) {
                out[i] = Float.isNaN(in[i]) ? nan : AffineGrid.fakeQuant(in[i], step, zp, lo, hi);
            }
        });
        Tensor value = Tensor.wrap(out, x.shape()).to(x.backend());
        if (!x.requiresGrad()) {
            return value;
        }
        float[] inside = new float[in.length];
        layout.forEachRun((c, from, to) -> {
            float step = scales[c];
            float zp = zeroPoints[c];
            for (int i = from; i < to; i++) {
                float q = AffineGrid.unclampedCode(in[i], step, zp);
                inside[i] = q >= qmin && q <= qmax ? 1f : 0f;
            }
        });
        return Tensor.straightThrough(value, x.mul(Tensor.wrap(inside, x.shape()).to(x.backend())));
    }

    public float[] scales() {
        return scales.clone();
    }

    public int[] zeroPoints() {
        return zeroPoints.clone();
    }

    public int qmin() {
        return qmin;
    }

    public int qmax() {
        return qmax;
    }

    /** Whether the parameters are per axis ({@link #axis()}) rather than per tensor. */
    public boolean perAxis() {
        return axis != null;
    }

    /** The channel axis of a per-axis layer; an {@link IllegalStateException} per tensor. */
    public int axis() {
        if (axis == null) {
            throw new IllegalStateException("a per-tensor QuantizeDequantize has no axis");
        }
        return axis;
    }

    @Override
    public String toString() {
        return "QuantizeDequantize(scales=" + Arrays.toString(scales) + ", zero_points=" + Arrays.toString(zeroPoints)
                + ", range=[" + qmin + ", " + qmax + "]" + (axis == null ? "" : ", axis=" + axis) + ")";
    }
}
