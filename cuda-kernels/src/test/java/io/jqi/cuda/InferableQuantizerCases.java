package io.jqi.cuda;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
import io.jqi.grid.Grid;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;
import io.jqi.grid.UniformRange;
import io.jqi.quant.inferable.ActivationLutPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer;
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.WeightsLUTPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every inferable quantizer class, per tensor and per channel on several axes, in both rounding modes, run through
 * the forward kernels with the parameters of its own grid: bit for bit what {@code quantize} gives on the CPU. Run on
 * the GPU by {@link InferableQuantizersGpuTest} and on the host-compiled kernels by
 * {@link InferableQuantizersEmulationTest}.
 */
abstract class InferableQuantizerCases {
    private static final float[] POT = {1f, 0.5f, 2f, 0.25f, 4f, 0.03125f, 8f, 0x1p-10f};
    private static final float[] THRESHOLDS = {1f, 0.5f, 2f, 1.7f, 0.03125f, 3.3f, 8f, 1e-7f};
    private static final float[] MINS = {-0.3f, -1f, 0.2f, -2.5f, -0.01f, -5f, -0.7f, -1.1f};
    private static final float[] MAXS = {1.2f, 1f, 3f, -0.5f, 4f, 0.3f, 0.9f, 2.2f};
    private static final float[] LUT = {3f, 0f, -37f, 127f, -128f, 4f, 11f, -5f};
    private static final float[] UNSIGNED_LUT = {0f, 17f, 100f, 255f, 40f};

    /** A quantizer, the shape it is applied to, and for the input generator its per-channel ranges. */
    /** The kernels under test; skips (an assumption) where they cannot run. */
    abstract QuantKernels kernels();

    record Case(String name, InferableQuantizer quantizer, int[] shape, float[][] ranges) {
        @Override
        public String toString() {
            return name + " " + Arrays.toString(shape);
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        int[][] shapes = {{64, 1024}, {48, 8, 3, 3}, {16, 40, 8}};
        int[] axes = {0, 1, -1};
        for (RoundingMode rounding : RoundingMode.values()) {
            for (int s = 0; s < shapes.length; s++) {
                int[] shape = shapes[s];
                int axis = axes[s];
                float[] pot = channels(POT, shape, axis);
                float[] t = channels(THRESHOLDS, shape, axis);
                float[] lo = channels(MINS, shape, axis);
                float[] hi = channels(MAXS, shape, axis);
                cases.add(new Case("weights POT " + rounding + " axis " + axis, new WeightsPOTInferableQuantizer(4,
                        pot, true, axis, null, rounding), shape, symmetricRanges(pot, 4, true)));
                cases.add(new Case("weights symmetric " + rounding + " axis " + axis,
                        new WeightsSymmetricInferableQuantizer(8, t, true, axis, null, rounding), shape,
                        symmetricRanges(t, 8, true)));
                cases.add(new Case("weights uniform " + rounding + " axis " + axis,
                        new WeightsUniformInferableQuantizer(3, lo, hi, true, axis, null, rounding), shape,
                        uniformRanges(lo, hi, 3)));
            }
            int[] shape = shapes[0];
            cases.add(new Case("weights symmetric per tensor " + rounding, new WeightsSymmetricInferableQuantizer(2,
                    new float[] {0.6f}, false, null, null, rounding), shape, symmetricRanges(new float[] {0.6f}, 2,
                    true)));
            cases.add(new Case("weights uniform per tensor " + rounding, new WeightsUniformInferableQuantizer(8,
                    new float[] {-0.7f}, new float[] {1.9f}, false, null, null, rounding), shape,
                    uniformRanges(new float[] {-0.7f}, new float[] {1.9f}, 8)));
            for (boolean signed : new boolean[] {true, false}) {
                int[] activations = {16, 8, 12, 12};
                cases.add(new Case("activations POT " + rounding + " signed " + signed,
                        new ActivationPOTInferableQuantizer(5, new float[] {2f}, signed, rounding), activations,
                        symmetricRanges(new float[] {2f}, 5, signed)));
                cases.add(new Case("activations symmetric " + rounding + " signed " + signed,
                        new ActivationSymmetricInferableQuantizer(8, new float[] {1.3f}, signed, rounding),
                        activations, symmetricRanges(new float[] {1.3f}, 8, signed)));
            }
            cases.add(new Case("activations uniform " + rounding, new ActivationUniformInferableQuantizer(4,
                    new float[] {-0.4f}, new float[] {2.1f}, rounding), new int[] {16, 8, 12, 12},
                    uniformRanges(new float[] {-0.4f}, new float[] {2.1f}, 4)));
        }
        for (int s = 0; s < shapes.length; s++) {
            int[] shape = shapes[s];
            int axis = axes[s];
            float[] pot = channels(POT, shape, axis);
            float[] t = channels(THRESHOLDS, shape, axis);
            cases.add(new Case("weights LUT symmetric axis " + axis, new WeightsLUTSymmetricInferableQuantizer(3, LUT,
                    t, true, axis, shape.length, 8, 1e-8f), shape, symmetricRanges(t, 8, true)));
            cases.add(new Case("weights LUT POT axis " + axis, new WeightsLUTPOTInferableQuantizer(3, LUT, pot, true,
                    axis, shape.length, 8, 0f), shape, symmetricRanges(pot, 8, true)));
        }
        cases.add(new Case("activations LUT POT signed", new ActivationLutPOTInferableQuantizer(3, LUT,
                new float[] {4f}, true, 8, 1e-8f), new int[] {16, 8, 12, 12},
                symmetricRanges(new float[] {4f}, 8, true)));
        cases.add(new Case("activations LUT POT unsigned", new ActivationLutPOTInferableQuantizer(3, UNSIGNED_LUT,
                new float[] {1f}, false, 8, 1e-8f), new int[] {16, 8, 12, 12},
                symmetricRanges(new float[] {1f}, 8, false)));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kernelsOnTheQuantizersGridGiveItsBits(Case c) {
        QuantKernels gpu = kernels();
        Shape shape = Shape.of(c.shape());
        ChannelLayout layout = c.quantizer().spec().layout(shape, c.quantizer().grid().channels(), c.toString());
        float[] x = QuantInputs.x(layout, perLayoutChannel(c.ranges(), layout), 91, true);
        float[] expected = c.quantizer().quantize(Tensor.of(x.clone(), c.shape())).toFloatArray();
        Grid grid = c.quantizer().grid();
        float[] actual;
        if (grid instanceof AffineGrid affine) {
            actual = gpu.affine(x, affine.steps(), affine.zeroPoints(), affine.qmin(), affine.qmax(),
                    affine.rounding(), layout);
        } else {
            actual = gpu.lut(x, (LutGrid) grid, layout);
        }
        Agreement.assertSameBits(c.toString(), x, expected, actual);
    }

    /** {lo, hi, step, origin} per channel of a symmetric grid with threshold t. */
    private static float[][] symmetricRanges(float[] t, int bits, boolean signed) {
        float[][] ranges = new float[t.length][];
        for (int c = 0; c < t.length; c++) {
            float step = t[c] / (1L << (signed ? bits - 1 : bits));
            ranges[c] = new float[] {signed ? -t[c] : 0f, t[c] - step, step, 0f};
        }
        return ranges;
    }

    private static float[][] uniformRanges(float[] lo, float[] hi, int bits) {
        float[][] adjusted = UniformRange.adjustAll(lo, hi, bits);
        AffineGrid grid = AffineGrid.uniformAdjusted(adjusted[0], adjusted[1], bits);
        float[][] ranges = new float[lo.length][];
        for (int c = 0; c < lo.length; c++) {
            float step = grid.step(c);
            float origin = -grid.zeroPoint(c) * step;
            ranges[c] = new float[] {origin, origin + step * ((1L << bits) - 1), step, origin};
        }
        return ranges;
    }

    /** Per-tensor quantizers have one range; the generator wants one per layout channel. */
    private static float[][] perLayoutChannel(float[][] ranges, ChannelLayout layout) {
        float[][] out = new float[layout.channels()][];
        for (int c = 0; c < out.length; c++) {
            out[c] = ranges[c % ranges.length];
        }
        return out;
    }

    private static float[] channels(float[] values, int[] shape, int axis) {
        int n = shape[axis < 0 ? shape.length + axis : axis];
        float[] out = new float[n];
        for (int c = 0; c < n; c++) {
            out[c] = values[c % values.length];
        }
        return out;
    }
}
