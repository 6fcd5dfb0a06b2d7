package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Functional}'s values against direct loops and hand-computed numbers. */
class FunctionalTest {
    private static final int[] ONE = {1, 1};
    private static final int[] ZERO = {0, 0};

    /** A convolution's arguments, and the output size computed independently of the library. */
    private record ConvCase(int n, int c, int h, int w, int o, int kh, int kw, int[] stride, int[] pad, int[] dil,
            int groups, boolean bias) {
        int oh() {
            return (h + 2 * pad[0] - dil[0] * (kh - 1) - 1) / stride[0] + 1;
        }

        int ow() {
            return (w + 2 * pad[1] - dil[1] * (kw - 1) - 1) / stride[1] + 1;
        }
    }

    private static final ConvCase[] CONV_CASES = {
        new ConvCase(2, 3, 7, 6, 4, 3, 3, ONE, ZERO, ONE, 1, true),
        new ConvCase(2, 4, 9, 8, 6, 3, 2, new int[] {2, 1}, new int[] {1, 2}, new int[] {2, 1}, 2, true),
        new ConvCase(1, 6, 8, 8, 6, 3, 3, new int[] {2, 2}, ONE, ONE, 6, false),
        new ConvCase(3, 4, 5, 5, 8, 1, 1, ONE, ONE, ONE, 4, true),
        new ConvCase(2, 3, 10, 9, 5, 5, 5, new int[] {3, 2}, new int[] {2, 2}, new int[] {2, 1}, 1, false),
        // Large enough that every kernel takes its parallel path.
        new ConvCase(4, 8, 16, 16, 16, 3, 3, ONE, ONE, ONE, 2, true),
    };

    /** The definition, one output element at a time: batch, out channel, out row, out column, in channel, kernel. */
    private static float[] referenceConv(ConvCase k, float[] x, float[] wt, float[] bias) {
        int cg = k.c / k.groups;
        int og = k.o / k.groups;
        float[] out = new float[k.n * k.o * k.oh() * k.ow()];
        for (int b = 0; b < k.n; b++) {
            for (int oc = 0; oc < k.o; oc++) {
                for (int oy = 0; oy < k.oh(); oy++) {
                    for (int ox = 0; ox < k.ow(); ox++) {
                        double acc = bias == null ? 0 : bias[oc];
                        for (int ic = 0; ic < cg; ic++) {
                            int c = oc / og * cg + ic;
                            for (int ki = 0; ki < k.kh; ki++) {
                                for (int kj = 0; kj < k.kw; kj++) {
                                    int iy = oy * k.stride[0] - k.pad[0] + ki * k.dil[0];
                                    int ix = ox * k.stride[1] - k.pad[1] + kj * k.dil[1];
                                    if (iy >= 0 && iy < k.h && ix >= 0 && ix < k.w) {
                                        acc += x[((b * k.c + c) * k.h + iy) * k.w + ix]
                                                * wt[((oc * cg + ic) * k.kh + ki) * k.kw + kj];
                                    }
                                }
                            }
                        }
                        out[((b * k.o + oc) * k.oh() + oy) * k.ow() + ox] = (float) acc;
                    }
                }
            }
        }
        return out;
    }

    private static void assertClose(float[] expected, float[] actual, float tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            float tol = tolerance * Math.max(1f, Math.abs(expected[i]));
            if (Math.abs(expected[i] - actual[i]) > tol) {
                throw new AssertionError(what + " [" + i + "]: expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    private static Tensor conv(ConvCase k, Tensor x, Tensor w, Tensor b) {
        return Functional.conv2d(x, w, b, k.stride, k.pad, k.dil, k.groups);
    }

    @Test
    void conv2dMatchesADirectReference() {
        Random random = new Random(11);
        for (ConvCase k : CONV_CASES) {
            Tensor x = Tensor.randn(random, k.n, k.c, k.h, k.w);
            Tensor w = Tensor.randn(random, k.o, k.c / k.groups, k.kh, k.kw);
            Tensor b = k.bias ? Tensor.randn(random, k.o) : null;
            Tensor y = conv(k, x, w, b);
            assertEquals(Shape.of(k.n, k.o, k.oh(), k.ow()), y.shape(), k.toString());
            float[] bias = b == null ? null : b.toFloatArray();
            float[] expected = referenceConv(k, x.toFloatArray(), w.toFloatArray(), bias);
            assertClose(expected, y.toFloatArray(), 1e-5f, k.toString());
        }
    }

    @Test
    void conv2dGradientsMatchDirectLoopsEverywhere() {
        // The finite-difference checks sample; this compares every element of the input and weight gradients.
        Random random = new Random(12);
        for (ConvCase k : CONV_CASES) {
            Tensor x = Tensor.randn(random, k.n, k.c, k.h, k.w).requiresGrad(true);
            Tensor w = Tensor.randn(random, k.o, k.c / k.groups, k.kh, k.kw).requiresGrad(true);
            Tensor g = Tensor.randn(random, k.n, k.o, k.oh(), k.ow());
            conv(k, x, w, null).backward(g);
            float[] xv = x.toFloatArray();
            float[] wv = w.toFloatArray();
            float[] gv = g.toFloatArray();
            double[] gx = new double[xv.length];
            double[] gw = new double[wv.length];
            int cg = k.c / k.groups;
            int og = k.o / k.groups;
            for (int b = 0; b < k.n; b++) {
                for (int oc = 0; oc < k.o; oc++) {
                    for (int oy = 0; oy < k.oh(); oy++) {
                        for (int ox = 0; ox < k.ow(); ox++) {
                            float go = gv[((b * k.o + oc) * k.oh() + oy) * k.ow() + ox];
                            for (int ic = 0; ic < cg; ic++) {
                                for (int ki = 0; ki < k.kh; ki++) {
                                    for (int kj = 0; kj < k.kw; kj++) {
                                        int iy = oy * k.stride[0] - k.pad[0] + ki * k.dil[0];
                                        int ix = ox * k.stride[1] - k.pad[1] + kj * k.dil[1];
                                        if (iy >= 0 && iy < k.h && ix >= 0 && ix < k.w) {
                                            int xi = ((b * k.c + oc / og * cg + ic) * k.h + iy) * k.w + ix;
                                            int wi = ((oc * cg + ic) * k.kh + ki) * k.kw + kj;
                                            gx[xi] += go * wv[wi];
                                            gw[wi] += go * xv[xi];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            assertClose(toFloat(gx), x.grad().toFloatArray(), 1e-4f, k + " input gradient");
            assertClose(toFloat(gw), w.grad().toFloatArray(), 1e-4f, k + " weight gradient");
        }
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    @Test
    void convolutionAndPoolingAreBitIdenticalRunToRun() {
        ConvCase k = CONV_CASES[CONV_CASES.length - 1];
        Random random = new Random(13);
        float[] x0 = Tensor.randn(random, k.n, k.c, k.h, k.w).toFloatArray();
        float[] w0 = Tensor.randn(random, k.o, k.c / k.groups, k.kh, k.kw).toFloatArray();
        float[][] first = null;
        for (int run = 0; run < 3; run++) {
            Tensor x = Tensor.of(x0, k.n, k.c, k.h, k.w).requiresGrad(true);
            Tensor w = Tensor.of(w0, k.o, k.c / k.groups, k.kh, k.kw).requiresGrad(true);
            Tensor y = conv(k, x, w, null);
            Tensor pooled = Functional.maxPool2d(y, new int[] {3, 3}, ONE, ONE)
                    .add(Functional.avgPool2d(y, new int[] {3, 3}, ONE, ONE));
            pooled.mul(pooled).sum().backward();
            float[][] now = {pooled.toFloatArray(), x.grad().toFloatArray(), w.grad().toFloatArray()};
            if (first == null) {
                first = now;
            } else {
                for (int i = 0; i < now.length; i++) {
                    assertArrayEquals(first[i], now[i]);
                }
            }
        }
    }

    private static float[] referencePool(float[] x, int n, int c, int h, int w, int[] k, int[] s, int[] p,
            boolean max) {
        int oh = (h + 2 * p[0] - k[0]) / s[0] + 1;
        int ow = (w + 2 * p[1] - k[1]) / s[1] + 1;
        float[] out = new float[n * c * oh * ow];
        for (int plane = 0; plane < n * c; plane++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float best = Float.NEGATIVE_INFINITY;
                    double sum = 0;
                    int count = 0;
                    for (int iy = oy * s[0] - p[0]; iy < oy * s[0] - p[0] + k[0]; iy++) {
                        for (int ix = ox * s[1] - p[1]; ix < ox * s[1] - p[1] + k[1]; ix++) {
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                float v = x[(plane * h + iy) * w + ix];
                                best = Math.max(best, v);
                                sum += v;
                                count++;
                            }
                        }
                    }
                    out[(plane * oh + oy) * ow + ox] = max ? best : (float) (sum / count);
                }
            }
        }
        return out;
    }

    @Test
    void poolsMatchDirectLoops() {
        int[][][] configs = {
            {{2, 2}, {2, 2}, {0, 0}},
            {{3, 3}, {2, 2}, {1, 1}},
            {{3, 2}, {1, 2}, {1, 0}},
            {{2, 3}, {3, 1}, {1, 1}},
            {{5, 5}, {1, 1}, {2, 2}},
        };
        Random random = new Random(14);
        for (int[][] cfg : configs) {
            Tensor x = Tensor.randn(random, 2, 3, 7, 8);
            String what = "kernel " + Arrays.toString(cfg[0]) + " stride " + Arrays.toString(cfg[1]) + " padding "
                    + Arrays.toString(cfg[2]);
            assertClose(referencePool(x.toFloatArray(), 2, 3, 7, 8, cfg[0], cfg[1], cfg[2], true),
                    Functional.maxPool2d(x, cfg[0], cfg[1], cfg[2]).toFloatArray(), 0f, "max " + what);
            assertClose(referencePool(x.toFloatArray(), 2, 3, 7, 8, cfg[0], cfg[1], cfg[2], false),
                    Functional.avgPool2d(x, cfg[0], cfg[1], cfg[2]).toFloatArray(), 1e-6f, "avg " + what);
        }
    }

    @Test
    void maxPoolSendsTheGradientToTheFirstMaximumInWindowOrder() {
        Tensor x = Tensor.ones(1, 1, 2, 2).requiresGrad(true);
        Functional.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, ZERO).sum().backward();
        assertArrayEquals(new float[] {1, 0, 0, 0}, x.grad().toFloatArray());

        // Overlapping windows that share their maximum both send it their gradient.
        Tensor y = Tensor.of(new float[] {0, 5, 0}, 1, 1, 1, 3).requiresGrad(true);
        Tensor out = Functional.maxPool2d(y, new int[] {1, 2}, ONE, ZERO);
        assertArrayEquals(new float[] {5, 5}, out.toFloatArray());
        out.backward(Tensor.of(new float[] {2, 3}, 1, 1, 1, 2));
        assertArrayEquals(new float[] {0, 5, 0}, y.grad().toFloatArray());
    }

    @Test
    void maxPoolPaddingIsMinusInfinityAndAvgPoolPaddingIsNotCounted() {
        Tensor negative = Tensor.full(-3f, 1, 2, 3, 3);
        float[] max = Functional.maxPool2d(negative, new int[] {3, 3}, ONE, ONE).toFloatArray();
        float[] avg = Functional.avgPool2d(negative, new int[] {3, 3}, ONE, ONE).toFloatArray();
        assertEquals(18, max.length);
        for (int i = 0; i < max.length; i++) {
            assertEquals(-3f, max[i], "a zero from the padding would win the max at " + i);
            assertEquals(-3f, avg[i], 1e-6f, "padding counted in the average at " + i);
        }
        // A corner window holds 4 of its 9 cells: their gradient shares are 1/4, not 1/9.
        Tensor x = Tensor.ones(1, 1, 2, 2).requiresGrad(true);
        Functional.avgPool2d(x, new int[] {3, 3}, new int[] {2, 2}, ONE).sum().backward();
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, x.grad().toFloatArray(), 1e-7f);
    }

    @Test
    void ceilModePoolingAddsAPartialLastWindowAsPyTorchDoes() {
        // Values from torch.nn.functional.max_pool2d / avg_pool2d(arange(25).reshape(1, 1, 5, 5), 2, 2,
        // ceil_mode=True, count_include_pad=False).
        Tensor x = Tensor.of(floatRange(25), 1, 1, 5, 5);
        int[] two = {2, 2};
        assertArrayEquals(new float[] {6, 8, 9, 16, 18, 19, 21, 23, 24},
                Functional.maxPool2d(x, two, two, new int[] {0, 0}, true).toFloatArray());
        assertArrayEquals(new float[] {3, 5, 6.5f, 13, 15, 16.5f, 20.5f, 22.5f, 24},
                Functional.avgPool2d(x, two, two, new int[] {0, 0}, true).toFloatArray());
        assertEquals(Shape.of(1, 1, 2, 2), Functional.maxPool2d(x, two, two, new int[] {0, 0}).shape());
    }

    @Test
    void ceilModeDropsALastWindowThatWouldStartInTheTrailingPadding() {
        // PyTorch: max_pool2d(3 x 3 input, kernel 2, stride 2, padding 1, ceil_mode=True) is 2 x 2, not 3 x 3.
        Tensor x = Tensor.of(floatRange(9), 1, 1, 3, 3);
        assertEquals(Shape.of(1, 1, 2, 2),
                Functional.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, ONE, true).shape());
        assertEquals(2, Window2d.outExtent(3, 2, 2, 1, 1, true));
        assertEquals(3, Window2d.outExtent(5, 2, 2, 0, 1, true));
        assertEquals(2, Window2d.outExtent(5, 2, 2, 0, 1, false));
    }

    @Test
    void ceilModeMaxPoolGradientGoesToTheMaximumOfThePartialWindow() {
        Tensor x = Tensor.of(floatRange(9), 1, 1, 3, 3).requiresGrad(true);
        Functional.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, true).sum().backward();
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 1, 0, 1, 1}, x.grad().toFloatArray());
    }

    private static float[] floatRange(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    @Test
    void globalAvgPoolIsThePlaneMean() {
        Tensor x = Tensor.randn(new Random(15), 2, 3, 5, 4);
        Tensor y = Functional.globalAvgPool2d(x);
        assertEquals(Shape.of(2, 3, 1, 1), y.shape());
        assertClose(x.mean(new int[] {2, 3}, true).toFloatArray(), y.toFloatArray(), 1e-6f, "global average");
    }

    @Test
    void linearIsXTimesWeightTransposedPlusBias() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor w = Tensor.of(new float[] {1, 0, -1, 2, 1, 0}, 2, 3);
        Tensor b = Tensor.vector(10, 20);
        assertArrayEquals(new float[] {8, 24, 8, 33}, Functional.linear(x, w, b).toFloatArray());
        assertArrayEquals(new float[] {-2, 4}, Functional.linear(Tensor.vector(1, 2, 3), w, null).toFloatArray());
        Tensor batched = Functional.linear(x.reshape(2, 1, 3), w, b);
        assertEquals(Shape.of(2, 1, 2), batched.shape());
        assertArrayEquals(new float[] {8, 24, 8, 33}, batched.toFloatArray());
    }

    @Test
    void batchNormTrainingNormalizesWithBatchStatisticsAndUpdatesRunningOnes() {
        // Channel 0 holds 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3); channel 1 holds -1, 1, -1, 1.
        Tensor x = Tensor.of(new float[] {1, -1, 2, 1, 3, -1, 6, 1}, 4, 2);
        Tensor runningMean = Tensor.vector(0.5f, -2f);
        Tensor runningVar = Tensor.vector(2f, 1f);
        Tensor weight = Tensor.vector(2f, 0.5f);
        Tensor bias = Tensor.vector(1f, -1f);
        float eps = 1e-3f;
        Tensor y = Functional.batchNorm(x, runningMean, runningVar, weight, bias, true, 0.1f, eps);
        double s0 = Math.sqrt(3.5 + eps);
        double s1 = Math.sqrt(1.0 + eps);
        float[] expected = new float[8];
        float[] values = x.toFloatArray();
        for (int i = 0; i < 4; i++) {
            expected[2 * i] = (float) ((values[2 * i] - 3) / s0 * 2 + 1);
            expected[2 * i + 1] = (float) (values[2 * i + 1] / s1 * 0.5 - 1);
        }
        assertClose(expected, y.toFloatArray(), 1e-5f, "normalized");
        assertClose(new float[] {0.9f * 0.5f + 0.1f * 3f, 0.9f * -2f + 0.1f * 0f}, runningMean.toFloatArray(), 1e-6f,
                "running mean");
        assertClose(new float[] {0.9f * 2f + 0.1f * 14f / 3f, 0.9f * 1f + 0.1f * 4f / 3f},
                runningVar.toFloatArray(), 1e-6f, "running var (unbiased)");

        // A second step starts from the updated statistics.
        Functional.batchNorm(x, runningMean, runningVar, null, null, true, 0.1f, eps);
        assertClose(new float[] {0.9f * 0.75f + 0.3f, 0.9f * -1.8f}, runningMean.toFloatArray(), 1e-6f,
                "running mean after two steps");
    }

    @Test
    void batchNormOnNchwTakesStatisticsOverBatchAndPlane() {
        Random random = new Random(16);
        Tensor x = Tensor.randn(random, 3, 2, 4, 5).mul(2f).add(1f);
        Tensor runningMean = Tensor.zeros(2);
        Tensor runningVar = Tensor.ones(2);
        Tensor y = Functional.batchNorm(x, runningMean, runningVar, null, null, true, 0.25f, 1e-5f);
        float[] v = x.toFloatArray();
        float[] out = y.toFloatArray();
        for (int c = 0; c < 2; c++) {
            double sum = 0;
            double sq = 0;
            int m = 0;
            for (int n = 0; n < 3; n++) {
                for (int i = 0; i < 20; i++) {
                    double e = v[(n * 2 + c) * 20 + i];
                    sum += e;
                    sq += e * e;
                    m++;
                }
            }
            double mean = sum / m;
            double var = sq / m - mean * mean;
            for (int n = 0; n < 3; n++) {
                for (int i = 0; i < 20; i++) {
                    int at = (n * 2 + c) * 20 + i;
                    assertEquals((v[at] - mean) / Math.sqrt(var + 1e-5), out[at], 1e-4, "output " + at);
                }
            }
            assertEquals(0.25 * mean, runningMean.toFloatArray()[c], 1e-5, "running mean " + c);
            assertEquals(0.75 + 0.25 * var * m / (m - 1), runningVar.toFloatArray()[c], 1e-5, "running var " + c);
        }
    }

    @Test
    void batchNormEvalUsesRunningStatisticsAndLeavesThemAlone() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 1, 2);
        Tensor runningMean = Tensor.vector(1f, -1f);
        Tensor runningVar = Tensor.vector(4f, 0.25f);
        Tensor y = Functional.batchNorm(x, runningMean, runningVar, Tensor.vector(3f, 1f), Tensor.vector(0f, 1f),
                false, 0.1f, 0f);
        assertClose(new float[] {0f, 1.5f, 9f, 11f, 6f, 7.5f, 17f, 19f}, y.toFloatArray(), 1e-6f, "eval output");
        assertArrayEquals(new float[] {1f, -1f}, runningMean.toFloatArray());
        assertArrayEquals(new float[] {4f, 0.25f}, runningVar.toFloatArray());
    }

    @Test
    void dropoutKeepsAboutOneMinusPAndScalesTheSurvivors() {
        Tensor x = Tensor.ones(200, 100).requiresGrad(true);
        Tensor y = Functional.dropout(x, 0.3f, true, new Random(17));
        float[] v = y.toFloatArray();
        int kept = 0;
        for (float e : v) {
            if (e != 0f) {
                assertEquals(1f / 0.7f, e, 0f);
                kept++;
            }
        }
        double fraction = kept / (double) v.length;
        assertTrue(Math.abs(fraction - 0.7) < 0.015, "kept fraction " + fraction);
        // The gradient is the mask itself: the same zeros and the same scale.
        y.sum().backward();
        assertArrayEquals(v, x.grad().toFloatArray());
        // A seed reproduces the mask.
        assertArrayEquals(v, Functional.dropout(x, 0.3f, true, new Random(17)).toFloatArray());
    }

    @Test
    void dropoutIsTheIdentityWhenNotTrainingOrWhenPIsZero() {
        Tensor x = Tensor.randn(new Random(18), 3, 4);
        assertSame(x, Functional.dropout(x, 0.5f, false, new Random(1)));
        assertSame(x, Functional.dropout(x, 0.5f, false, null));
        assertSame(x, Functional.dropout(x, 0f, true, new Random(1)));
    }
}
