package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's fake-quantization primitives against the host grids they run: the same bits for every layout and
 * rounding mode (the backward against the composed ops is {@code ComposedPathEquivalenceTest}'s).
 */
class CpuFakeQuantTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;
    private static final ChannelLayout[] LAYOUTS = {ChannelLayout.perTensor(60), new ChannelLayout(1, 3, 20),
        new ChannelLayout(4, 3, 5), new ChannelLayout(60, 1, 1)};

    private static float[] inputs(int n, long seed) {
        Random random = new Random(seed);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, 0.5f, -0.5f, 1e30f};
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i < special.length ? special[i] : (float) random.nextGaussian() * 2f;
        }
        return x;
    }

    private static float[] expected(io.jqi.grid.Grid grid, float[] x, ChannelLayout layout) {
        float[] out = new float[x.length];
        grid.apply(x, out, layout);
        return out;
    }

    @Test
    void affineIsTheAffineGridInBothRoundingModes() {
        for (ChannelLayout layout : LAYOUTS) {
            float[] x = inputs(layout.size(), layout.channels());
            float[] t = new float[layout.channels()];
            float[] lo = new float[layout.channels()];
            float[] hi = new float[layout.channels()];
            for (int c = 0; c < t.length; c++) {
                t[c] = 0.7f + c;
                lo[c] = -0.4f * (c + 1);
                hi[c] = 1.3f + c;
            }
            for (RoundingMode rounding : RoundingMode.values()) {
                for (AffineGrid grid : new AffineGrid[] {AffineGrid.symmetric(t, 4, true, rounding),
                    AffineGrid.uniform(lo, hi, 3, rounding)}) {
                    float[] actual = CPU.toHost(CPU.fakeQuantAffine(CPU.fromHost(x), layout,
                            CPU.fromHost(grid.steps()), CPU.fromHost(grid.zeroPoints()), grid.qmin(), grid.qmax(),
                            rounding));
                    assertArrayEquals(expected(grid, x, layout), actual, layout + " " + rounding);
                }
            }
        }
    }

    @Test
    void lutIsTheLutGrid() {
        for (ChannelLayout layout : LAYOUTS) {
            float[] x = inputs(layout.size(), 7);
            float[] t = new float[layout.channels()];
            java.util.Arrays.fill(t, 2f);
            LutGrid grid = new LutGrid(new float[] {3f, 0f, -37f, 127f, -128f}, t, 8, true, 1e-8f);
            float[] actual = CPU.toHost(CPU.fakeQuantLut(CPU.fromHost(x), layout, CPU.fromHost(grid.levels()),
                    CPU.fromHost(t), grid.multiplier(), grid.lo(), grid.hi(), grid.eps()));
            assertArrayEquals(expected(grid, x, layout), actual, layout.toString());
        }
    }

    @Test
    void aPerTensorParameterGradientDoesNotDependOnTheThreadCount() throws Exception {
        int size = 3 * CpuFakeQuant.SUM_BLOCK + 17;
        java.util.Random random = new java.util.Random(11);
        float[] x = new float[size];
        float[] dy = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = random.nextFloat() * 8f - 4f;
            dy[i] = random.nextFloat() * 2f - 1f;
        }
        ChannelLayout layout = ChannelLayout.perTensor(size);
        float[] steps = {0.03125f};
        float[] offsets = {0.25f};
        float[][] shared = CpuFakeQuant.affineBackward(x, dy, layout, steps, offsets, -128f, 127f, true, true);
        java.util.concurrent.ForkJoinPool one = new java.util.concurrent.ForkJoinPool(1);
        try {
            float[][] single = one.submit(() -> CpuFakeQuant.affineBackward(x, dy, layout, steps, offsets, -128f,
                    127f, true, true)).get();
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(shared[k], single[k], "output " + k);
            }
        } finally {
            one.shutdown();
        }
    }

    @Test
    void theBackwardGivesTheElementFormulasBitsAndSumsInTheContractsOrder() {
        int size = 3000;
        Random random = new Random(5);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, 1e30f, -1e30f,
            3e6f, -3e6f, 0.015625f, -0.015625f, 0.046875f};
        // Special values everywhere, making some sums NaN; then finite ones, whose sums' signs and bits all count.
        for (boolean specials : new boolean[] {true, false}) {
            float[] x = new float[size];
            float[] dy = new float[size];
            for (int i = 0; i < size; i++) {
                x[i] = specials && random.nextInt(5) == 0 ? special[random.nextInt(special.length)]
                        : (float) random.nextGaussian() * 4f;
                int kind = specials ? random.nextInt(40) : 40;
                dy[i] = kind == 0 ? Float.NaN : kind == 1 ? Float.NEGATIVE_INFINITY : kind == 2 ? -0f
                        : (float) random.nextGaussian();
            }
            assertBackwardMatchesTheReference(x, dy);
        }
    }

    private static void assertBackwardMatchesTheReference(float[] x, float[] dy) {
        int size = x.length;
        // Powers of two go through their reciprocals, unless the square's reciprocal is no float (2^-70).
        for (float[] steps : new float[][] {{0.03125f, 0.7f, 3e-8f}, {0x1p-70f, 0x1p60f, 0x1p-126f}}) {
            for (ChannelLayout layout : new ChannelLayout[] {ChannelLayout.perTensor(size),
                new ChannelLayout(2, 3, 500), new ChannelLayout(1000, 3, 1)}) {
                for (boolean clipped : new boolean[] {true, false}) {
                    for (float[] offsets : new float[][] {null, {0.25f, -1.5f, 0f}}) {
                        float[][] expected = referenceBackward(x, dy, layout, steps, offsets, -8f, 7f, clipped);
                        float[][] actual = CpuFakeQuant.affineBackward(x, dy, layout, steps, offsets, -8f, 7f,
                                clipped, true);
                        String what = layout + " steps " + java.util.Arrays.toString(steps) + " clipped " + clipped
                                + " offsets " + (offsets != null);
                        assertArrayEquals(expected[0], actual[0], "dx " + what);
                        assertArrayEquals(expected[1], actual[1], "steps " + what);
                        if (offsets != null) {
                            assertArrayEquals(expected[2], actual[2], "offsets " + what);
                        }
                        float[] dxAlone = CpuFakeQuant.affineBackward(x, dy, layout, steps, offsets, -8f, 7f,
                                clipped, false)[0];
                        assertArrayEquals(expected[0], dxAlone, "dx without the parameters' gradients, " + what);
                    }
                }
            }
        }
    }

    /**
     * The backward written element by element (docs/cuda.md#fake-quantization-is-a-device-primitive). A channel's
     * terms are summed in double in storage order; the one channel of a per-tensor grid into eight sums by position
     * mod 8, the tail into the first, combined pairwise (docs/quantizer-contract.md#ste-quantizers). The inputs fit
     * one per-tensor block.
     */
    private static float[][] referenceBackward(float[] x, float[] dy, ChannelLayout layout, float[] steps,
            float[] offsets, float qmin, float qmax, boolean clipped) {
        int channels = layout.channels();
        float[] dx = new float[x.length];
        double[][][] lanes = new double[4][channels][8];
        int tail = x.length - x.length % 8;
        layout.forEachRun((c, from, to) -> {
            float step = steps[c];
            for (int i = from; i < to; i++) {
                float g = dy[i];
                float d = offsets == null ? x[i] : x[i] - offsets[c];
                float r = offsets == null ? (float) Math.rint(d / step) + 0f : (float) Math.rint(d / step);
                float gradRounded = g * step;
                if (clipped) {
                    gradRounded = gradRounded * (r >= qmin && r <= qmax ? 1f : 0f);
                }
                if (offsets == null) {
                    gradRounded = gradRounded * 1f + 0f;
                }
                dx[i] = gradRounded / step;
                int lane = channels > 1 || i >= tail ? 0 : i % 8;
                lanes[0][c][lane] += g * Math.min(Math.max(r, qmin), qmax);
                lanes[1][c][lane] += -((gradRounded * d) / (step * step));
                lanes[2][c][lane] += g;
                lanes[3][c][lane] += -dx[i];
            }
        });
        float[] dSteps = new float[channels];
        float[] dOffsets = new float[channels];
        for (int c = 0; c < channels; c++) {
            dSteps[c] = (float) combine(lanes[0][c]) + (float) combine(lanes[1][c]);
            dOffsets[c] = (float) combine(lanes[2][c]) + (float) combine(lanes[3][c]);
        }
        return new float[][] {dx, dSteps, dOffsets};
    }

    private static double combine(double[] s) {
        return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    }
}
