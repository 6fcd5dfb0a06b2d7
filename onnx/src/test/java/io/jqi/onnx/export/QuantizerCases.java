package io.jqi.onnx.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.RoundingMode;
import io.jqi.quant.inferable.ActivationLutPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer;
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.WeightsInferableQuantizer;
import io.jqi.quant.inferable.WeightsLUTPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The single-quantizer cases that QDQ exactness is checked on, shared by the ONNX Runtime test
 * ({@link SingleQuantizerOrtTest}) and the import round trip ({@code QdqRoundTripTest}): every inferable quantizer
 * kind, the inputs that probe its grid, and weights with exact ties.
 */
final class QuantizerCases {
    /** Weight tensors are rank 4, {@code [out, in, kh, kw]}; per-channel cases use every axis, negative included. */
    static final int[] WEIGHT_SHAPE = {6, 5, 3, 4};

    static Stream<Arguments> activationQuantizers() {
        List<Arguments> cases = new ArrayList<>();
        for (int bits = 2; bits <= 8; bits++) {
            for (boolean signed : new boolean[] {true, false}) {
                cases.add(Arguments.of(ActivationPOTInferableQuantizer.of(bits, 4f, signed)));
                cases.add(Arguments.of(ActivationPOTInferableQuantizer.of(bits, 0.125f, signed)));
                cases.add(Arguments.of(ActivationSymmetricInferableQuantizer.of(bits, 2.7f, signed)));
                cases.add(Arguments.of(ActivationSymmetricInferableQuantizer.of(bits, 0.37f, signed)));
            }
            cases.add(Arguments.of(ActivationUniformInferableQuantizer.of(bits, -0.3f, 1.0f)));
            cases.add(Arguments.of(ActivationUniformInferableQuantizer.of(bits, -2.9f, 0.7f)));
            cases.add(Arguments.of(ActivationUniformInferableQuantizer.of(bits, 3f, 10f)));
            cases.add(Arguments.of(ActivationUniformInferableQuantizer.of(bits, -10f, -3f)));
        }
        // wider than 8 bits: int16/uint16 storage (opset 21) and a Clip on it
        cases.add(Arguments.of(ActivationPOTInferableQuantizer.of(12, 8f, true)));
        cases.add(Arguments.of(ActivationSymmetricInferableQuantizer.of(16, 3.3f, false)));
        cases.add(Arguments.of(ActivationUniformInferableQuantizer.of(10, -1.7f, 2.2f)));
        // look-up tables, as ordinary ops
        cases.add(Arguments.of(new ActivationLutPOTInferableQuantizer(3, new float[] {-96, -32, 0, 32, 96}, new float[] {2f},
                true, 8, 1e-8f)));
        cases.add(Arguments.of(new ActivationLutPOTInferableQuantizer(2, new float[] {0, 40, 100, 255}, new float[] {4f},
                false, 8, 1e-8f)));
        cases.add(Arguments.of(new ActivationLutPOTInferableQuantizer(4, new float[] {7, -25, 25, 0, -3}, new float[] {0.5f},
                true, 6, 1e-8f)));
        return cases.stream();
    }

    static Stream<Arguments> weightQuantizers() {
        List<Arguments> cases = new ArrayList<>();
        Random random = new Random(11);
        for (int bits = 2; bits <= 8; bits++) {
            cases.add(Arguments.of(WeightsSymmetricInferableQuantizer.perTensor(bits, 0.9f)));
            cases.add(Arguments.of(new WeightsPOTInferableQuantizer(bits, new float[] {0.5f}, false, null, null,
                    RoundingMode.HALF_EVEN)));
            cases.add(Arguments.of(new WeightsUniformInferableQuantizer(bits, new float[] {-0.4f},
                    new float[] {1.1f}, false, null, null, RoundingMode.HALF_EVEN)));
            for (int axis : new int[] {0, 1, 3, -1, -3}) {
                int channels = WEIGHT_SHAPE[axis < 0 ? axis + 4 : axis];
                cases.add(Arguments.of(WeightsSymmetricInferableQuantizer.perChannel(bits,
                        positives(random, channels, 0.2f, 2f), axis)));
                cases.add(Arguments.of(new WeightsPOTInferableQuantizer(bits, powersOfTwo(random, channels), true, axis,
                        4, RoundingMode.HALF_EVEN)));
                float[] min = new float[channels];
                float[] max = new float[channels];
                for (int c = 0; c < channels; c++) {
                    min[c] = -2f * random.nextFloat() + (c == 0 ? 0.3f : 0f);
                    max[c] = min[c] + 0.1f + 2f * random.nextFloat();
                }
                cases.add(Arguments.of(new WeightsUniformInferableQuantizer(bits, min, max, true, axis, 4,
                        RoundingMode.HALF_EVEN)));
            }
        }
        float[] lut = {-96, -32, 0, 32, 96};
        cases.add(Arguments.of(new WeightsLUTSymmetricInferableQuantizer(3, lut, new float[] {2f}, false, null, 4, 8,
                1e-8f)));
        cases.add(Arguments.of(new WeightsLUTSymmetricInferableQuantizer(3, lut, positives(random, 6, 0.3f, 2f), true,
                0, 4, 8, 1e-8f)));
        cases.add(Arguments.of(new WeightsLUTPOTInferableQuantizer(2, new float[] {-7, -1, 2, 6}, powersOfTwo(random, 4),
                true, -1, 4, 4, 1e-8f)));
        cases.add(Arguments.of(new WeightsLUTSymmetricInferableQuantizer(4, new float[] {-1000, -5, 0, 77, 3000},
                positives(random, 5, 0.1f, 3f), true, 1, 4, 14, 1e-8f)));
        return cases.stream();
    }

    /**
     * Values that test a grid's arithmetic: every grid point and every midpoint between neighbours (the ties), each
     * with its float neighbours, the grid's ends and beyond, zeros of both signs, infinities, and random values.
     */
    static float[] probeValues(InferableQuantizer quantizer) {
        List<Float> v = new ArrayList<>();
        if (quantizer instanceof ActivationLutPOTInferableQuantizer l) {
            float m = (float) (1L << (l.signed() ? l.lutValuesBitwidth() - 1 : l.lutValuesBitwidth()));
            float[] levels = l.lutValues();
            for (float a : levels) {
                for (float b : levels) {
                    withNeighbours(v, (a + b) / 2f / m * (l.threshold() + l.eps()));
                }
            }
        } else {
            QdqParameters p = QdqParameters.of(quantizer, 0, "test");
            float scale = p.scales()[0];
            int zp = p.zeroPoints()[0];
            int stride = Math.max(1, (p.qmax() - p.qmin()) / 300);
            for (int k = p.qmin() - 2; k <= p.qmax() + 2; k += stride) {
                withNeighbours(v, (k - zp) * scale);
                withNeighbours(v, (k - zp + 0.5f) * scale);
            }
        }
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            v.add((float) random.nextGaussian() * 3f);
        }
        v.addAll(List.of(0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f, Float.MIN_VALUE));
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    private static void withNeighbours(List<Float> v, float x) {
        v.add(Math.nextDown(x));
        v.add(x);
        v.add(Math.nextUp(x));
    }

    /**
     * Random weights; for affine grids every third one is replaced by an exact tie (halfway between two integers) or
     * an exact grid value of its own channel, and some lie beyond the grid's ends.
     */
    static Tensor weights(Random random, WeightsInferableQuantizer quantizer) {
        Shape shape = Shape.of(WEIGHT_SHAPE);
        float[] values = new float[shape.numel()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        if (!(quantizer instanceof WeightsLUTSymmetricInferableQuantizer)) {
            QdqParameters p = QdqParameters.of(quantizer, shape.rank(), "test");
            ChannelLayout layout = p.perChannel() ? ChannelLayout.around(shape.toArray(), p.axis())
                    : ChannelLayout.perTensor(shape.numel());
            layout.forEachRun((c, from, to) -> {
                for (int i = from; i < to; i += 3) {
                    int k = p.qmin() - 1 + random.nextInt(p.qmax() - p.qmin() + 3);
                    float half = random.nextBoolean() ? 0.5f : 0f;
                    values[i] = (k - p.zeroPoints()[c] + half) * p.scales()[c];
                }
            });
        }
        return Tensor.of(values, shape);
    }

    private static float[] positives(Random random, int n, float lo, float hi) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = lo + (hi - lo) * random.nextFloat();
        }
        return out;
    }

    private static float[] powersOfTwo(Random random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) Math.scalb(1.0, random.nextInt(5) - 3);
        }
        return out;
    }

    /** Compares float32 bits, naming the first differing inputs. */
    static void assertSameBits(float[] expected, float[] actual, float[] inputs) {
        assertEquals(expected.length, actual.length);
        int[] e = new int[expected.length];
        int[] a = new int[actual.length];
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < e.length; i++) {
            e[i] = Float.floatToRawIntBits(expected[i]);
            a[i] = Float.floatToRawIntBits(actual[i]);
            if (e[i] != a[i] && differences.size() < 5) {
                differences.add("x=" + inputs[i] + ": expected " + expected[i] + ", got " + actual[i]);
            }
        }
        assertArrayEquals(e, a, () -> "first differences: " + differences);
    }

    private QuantizerCases() {
    }
}
