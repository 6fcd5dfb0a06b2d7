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
}
