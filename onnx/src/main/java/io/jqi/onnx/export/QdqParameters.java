package io.jqi.onnx.export;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
import io.jqi.grid.Grid;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerSpec;
import io.jqi.quant.inferable.InferableQuantizer;

/**
 * The {@code QuantizeLinear}/{@code DequantizeLinear} form of one inferable quantizer: scales, integer zero points,
 * the quantizer's integer range and the channel axis.
 *
 * <p>Why the pair reproduces jqi bit for bit: a half-even {@link AffineGrid} computes, in float32,
 * {@code q = clamp(rint(x / step) + zp, qmin, qmax)} and {@code out = (q - zp) * step}. ONNX's QuantizeLinear is
 * {@code saturate(round_half_even(x / scale) + zp)} (IEEE division; ONNX Runtime divides rather than multiplying by a
 * reciprocal) and DequantizeLinear {@code (q - zp) * scale}. With {@code scale = step} and the same integer zero
 * point the operations are the same, in the same order; the integers stay below 2^24, so converting them between
 * int and float is exact. The only gap is the saturation range: the storage type's ({@code [-128, 127]} for int8)
 * instead of the n-bit range, which a {@code Clip} on the integer tensor closes for activations, and which weights
 * never need since their integers are computed here. NaN is the one input where the two differ: jqi keeps NaN,
 * QuantizeLinear has no integer for it (docs/onnx.md).
 *
 * <p>The parameters are read from the quantizer's own {@link InferableQuantizer#grid()}, so the exported scale is
 * exactly the step jqi divides by. LUT weights map
 * too, with their levels as the integers (see {@code lut}); LUT activations cannot (QuantizeLinear rounds to a
 * uniform grid) and are written as ordinary ops by {@link LutActivationNodes}.
 */
final class QdqParameters {
    private final float[] scales;
    private final int[] zeroPoints;
    private final int qmin;
    private final int qmax;
    private final Integer axis;

    /** The LUT search of a LUT weights quantizer, whose integers are its levels; null for affine grids. */
    private final LutGrid lut;
    private final float[] lutLevels;
    private final float[] lutThresholds;

    private QdqParameters(float[] scales, int[] zeroPoints, int qmin, int qmax, Integer axis, LutGrid lut) {
        this.scales = scales;
        this.zeroPoints = zeroPoints;
        this.qmin = qmin;
        this.qmax = qmax;
        this.axis = axis;
        this.lut = lut;
        this.lutLevels = lut == null ? null : lut.levels();
        this.lutThresholds = lut == null ? null : lut.thresholds();
    }

    private static QdqParameters affine(AffineGrid grid, Integer axis) {
        int channels = grid.channels();
        float[] scales = new float[channels];
        int[] zeroPoints = new int[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = grid.step(c);
            zeroPoints[c] = (int) grid.zeroPoint(c);
        }
        return new QdqParameters(scales, zeroPoints, (int) grid.qmin(), (int) grid.qmax(), axis, null);
    }

    /**
     * LUT weights as integers: each weight's integer is its nearest LUT level (found as {@link LutGrid} finds it),
     * dequantized with scale {@code T / M} and zero point 0. jqi computes {@code level / M * T}, DequantizeLinear
     * {@code level * (T / M)}; dividing by the power of two M is exact (barring subnormals), so both are
     * {@code level * T / M} rounded once: the same float.
     */
    private static QdqParameters lut(LutGrid grid, Integer axis) {
        float[] thresholds = grid.thresholds();
        float[] scales = new float[thresholds.length];
        for (int c = 0; c < thresholds.length; c++) {
            scales[c] = thresholds[c] / grid.multiplier();
        }
        return new QdqParameters(scales, new int[thresholds.length], (int) grid.lo(), (int) grid.hi(), axis, grid);
    }

    /**
     * The QDQ form of {@code quantizer} applied to tensors of rank {@code rank} (used to normalize a negative channel
     * axis; any value for activation quantizers), read from its {@link InferableQuantizer#grid()} and
     * {@link InferableQuantizer#spec()}: any quantizer on a half-even affine grid exports, and LUT weights. An
     * {@link OnnxExportException} naming {@code where} when the pair cannot compute what the quantizer computes.
     */
    static QdqParameters of(InferableQuantizer quantizer, int rank, String where) {
        QuantizerSpec spec = quantizer.spec();
        Integer axis = spec.channelAxis();
        if (axis != null && axis < 0) {
            axis += rank;
        }
        Grid grid = quantizer.grid();
        if (grid instanceof AffineGrid affine) {
            requireHalfEven(affine.rounding(), quantizer, where);
            return affine(affine, axis);
        }
        if (spec.target() == QuantizationTarget.ACTIVATION) {
            throw new OnnxExportException(where + ": " + describe(quantizer) + " maps activations to a look-up table,"
                    + " which QuantizeLinear cannot compute; it is written as ordinary ops, not QDQ");
        }
        return lut((LutGrid) grid, axis);
    }

    private static void requireHalfEven(RoundingMode rounding, InferableQuantizer quantizer, String where) {
        if (rounding != RoundingMode.HALF_EVEN) {
            throw new OnnxExportException(where + ": " + describe(quantizer) + " uses rounding " + rounding
                    + " (TensorFlow's nudged range, ties rounded half up), but QuantizeLinear rounds ties to even, "
                    + "so the QDQ model would differ at exact ties; only HALF_EVEN quantizers (jqi's default) "
                    + "export exactly");
        }
    }

    private static String describe(InferableQuantizer quantizer) {
        return quantizer.getClass().getSimpleName() + " (" + quantizer.numBits() + " bits)";
    }

    /** The integer type activations are quantized to: the narrowest of 8 and 16 bits that holds the range. */
    QdqType activationType() {
        return QdqType.holding(qmin, qmax, 8);
    }

    /** The integer type weight initializers are stored as: 4-bit types where they hold the range (opset 21). */
    QdqType weightType() {
        return QdqType.holding(qmin, qmax, 4);
    }

    /**
     * Whether {@code type} saturates at a wider range than the quantizer's, so that a Clip to
     * {@code [qmin, qmax]} must follow QuantizeLinear.
     */
    boolean needsClip(QdqType type) {
        return qmin > type.min() || qmax < type.max();
    }

    /**
     * The integer of each value, exactly as the grid computes it before dequantizing. Weights only: a NaN weight has
     * no integer and is an error naming {@code where}.
     */
    int[] quantize(float[] values, ChannelLayout layout, String where) {
        int[] out = new int[values.length];
        layout.forEachRun((c, from, to) -> {
            for (int i = from; i < to; i++) {
                if (Float.isNaN(values[i])) {
                    throw new OnnxExportException(where + ": weight element " + i + " is NaN, which has no integer "
                            + "code");
                }
                out[i] = lut == null ? affineCode(values[i], c) : lutLevel(values[i], c);
            }
        });
        return out;
    }

    /** {@link AffineGrid#fakeQuant} up to its dequantization. */
    private int affineCode(float x, int channel) {
        return (int) AffineGrid.code(x, scales[channel], zeroPoints[channel], qmin, qmax);
    }

    /** {@link LutGrid#fakeQuant} up to its last step: the level it picks. */
    private int lutLevel(float x, int channel) {
        int best = LutGrid.nearestLevel(x, lutLevels, lutThresholds[channel], lut.multiplier(), lut.lo(), lut.hi(),
                lut.eps());
        return (int) lutLevels[best];
    }

    /** What DequantizeLinear computes for integer {@code q} of {@code channel}: {@code float(q - zp) * scale}. */
    float dequantize(int q, int channel) {
        return (float) (q - zeroPoints[channel]) * scales[channel];
    }

    float[] scales() {
        return scales.clone();
    }

    int[] zeroPoints() {
        return zeroPoints.clone();
    }

    int qmin() {
        return qmin;
    }

    int qmax() {
        return qmax;
    }

    /** The non-negative channel axis, or null for a per-tensor quantizer. */
    Integer axis() {
        return axis;
    }

    boolean perChannel() {
        return axis != null;
    }
}
