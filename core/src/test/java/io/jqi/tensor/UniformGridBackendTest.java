package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.UniformRange;
import org.junit.jupiter.api.Test;

/** {@link Backend#uniformGrid} on the CPU: the grid of {@link UniformRange} and {@link AffineGrid}, bit for bit. */
class UniformGridBackendTest {
    private static final Backend CPU = CpuBackend.INSTANCE;

    /** {@code [step..., zeroPoint...]} as the host classes compute it, channel by channel. */
    private static float[] expected(float[] min, float[] max, int bits) {
        float[] out = new float[2 * min.length];
        for (int c = 0; c < min.length; c++) {
            float[] adjusted = UniformRange.adjust(min[c], max[c], bits);
            AffineGrid grid = AffineGrid.uniformAdjusted(new float[] {adjusted[0]}, new float[] {adjusted[1]}, bits);
            out[c] = grid.step(0);
            out[min.length + c] = grid.zeroPoint(0);
        }
        return out;
    }

    private static float[] grid(float[] min, float[] max, int bits) {
        return CPU.toHost(CPU.uniformGrid(CPU.fromHost(min), CPU.fromHost(max), min.length, bits));
    }

    private static void assertSameBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    "index " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }
    }

    @Test
    void aRangeAroundZeroIsShiftedOntoTheGrid() {
        float[] min = {-0.37f};
        float[] max = {1.91f};
        assertSameBits(expected(min, max, 8), grid(min, max, 8));
    }

    @Test
    void aRangeAboveZeroStartsAtZero() {
        float[] out = grid(new float[] {0.5f}, new float[] {2.5f}, 4);
        assertSameBits(expected(new float[] {0.5f}, new float[] {2.5f}, 4), out);
        assertEquals(2.5f / 15f, out[0]);
        assertEquals(0f, out[1]);
    }

    @Test
    void aRangeBelowZeroEndsAtZero() {
        float[] out = grid(new float[] {-3f}, new float[] {-1f}, 2);
        assertSameBits(expected(new float[] {-3f}, new float[] {-1f}, 2), out);
        assertEquals(1f, out[0]);
        assertEquals(3f, out[1]);
    }

    @Test
    void tinyRangesKeepTheirBits() {
        float[] min = {-1e-30f, -Float.MIN_NORMAL, 0f, -3e-38f};
        float[] max = {3e-30f, Float.MIN_NORMAL, 1e-35f, 0f};
        assertSameBits(expected(min, max, 8), grid(min, max, 8));
    }

    @Test
    void eachChannelHasItsOwnGrid() {
        float[] min = {-1f, 0.25f, -7f, -0.001f, -2.3f};
        float[] max = {1f, 4f, -0.5f, 1000f, 0.7f};
        for (int bits : new int[] {1, 2, 8, 16}) {
            assertSameBits(expected(min, max, bits), grid(min, max, bits));
        }
    }

    @Test
    void aCollapsedRangeIsArithmeticNotAnError() {
        // min > 0 adjusts to [0, max]: a usable grid, as the CUDA kernel computes it; quantizers validate ranges.
        float[] out = grid(new float[] {0.5f}, new float[] {0.5f}, 8);
        assertEquals(0.5f / 255f, out[0]);
        assertEquals(0f, out[1]);
    }

    @Test
    void aRangeWhoseStepUnderflowsGivesNoUsableStepInsteadOfAnError() {
        float[] min = {-Float.MIN_VALUE};
        float[] max = {Float.MIN_VALUE};
        float[] out = grid(min, max, 8);
        float[] adjusted = UniformRange.adjust(min[0], max[0], 8);
        float step = AffineGrid.uniformStep(adjusted[0], adjusted[1], 255f);
        assertSameBits(new float[] {step, AffineGrid.uniformZeroPoint(adjusted[0], step, 255f)}, out);
        assertFalse(out[0] > 0f, "step " + out[0]);
    }

    @Test
    void tensorUniformGridSplitsStepsAndZeroPointsWithoutGradient() {
        Tensor min = Tensor.vector(-1f, 0.5f).requiresGrad(true);
        Tensor max = Tensor.vector(3f, 2f).requiresGrad(true);
        Tensor[] grid = Tensor.uniformGrid(min, max, 4);
        float[] all = expected(new float[] {-1f, 0.5f}, new float[] {3f, 2f}, 4);
        assertArrayEquals(new float[] {all[0], all[1]}, grid[0].toFloatArray());
        assertArrayEquals(new float[] {all[2], all[3]}, grid[1].toFloatArray());
        assertFalse(grid[0].requiresGrad());
        assertFalse(grid[1].requiresGrad());
    }
}
