package io.jqi.cuda;

import io.jqi.tensor.Backend;
import io.jqi.tensor.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link CudaBackend#uniformGrid} (the uniform trainable quantizers' grid, computed on the device) against the CPU
 * backend's, which is {@code UniformRange} and {@code AffineGrid.uniformAdjusted}, bit for bit.
 */
@Tag("gpu")
class CudaUniformGridGpuTest {

    private static void assertSameGrid(String what, float[] min, float[] max, int bits) {
        GpuFixture.requireCuda();
        Backend cpu = CpuBackend.INSTANCE;
        Backend gpu = new CudaBackend();
        float[] expected = cpu.toHost(cpu.uniformGrid(cpu.fromHost(min), cpu.fromHost(max), min.length, bits));
        float[] actual = gpu.toHost(gpu.uniformGrid(gpu.fromHost(min), gpu.fromHost(max), min.length, bits));
        float[] inputs = new float[2 * min.length];
        System.arraycopy(min, 0, inputs, 0, min.length);
        System.arraycopy(min, 0, inputs, min.length, min.length);
        Agreement.assertSameBits(what + ", " + bits + " bits (inputs: min per channel)", inputs, expected, actual);
    }

    @Test
    void randomRangesGiveTheCpuGrid() {
        Random random = new Random(211);
        int n = 50_000;
        float[] min = new float[n];
        float[] max = new float[n];
        for (int i = 0; i < n; i++) {
            float a = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(20) - 10));
            float b = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(20) - 10));
            min[i] = Math.min(a, b);
            max[i] = Math.max(a, b) + (a == b ? 1f : 0f);
        }
        for (int bits : new int[] {1, 2, 4, 8, 16}) {
            assertSameGrid("random ranges", min, max, bits);
        }
    }

    @Test
    void edgeRangesGiveTheCpuGrid() {
        // Above zero, below zero, touching zero on either side, tiny and subnormal widths, a wide range.
        float[] min = {0.5f, -3f, 0f, -2f, -1e-30f, -3e-38f, 0f, -Float.MIN_NORMAL, -1e30f};
        float[] max = {2.5f, -1f, 2f, 0f, 3e-30f, 0f, 1e-35f, Float.MIN_NORMAL, 1e30f};
        for (int bits : new int[] {1, 2, 8, 16}) {
            assertSameGrid("edge ranges", min, max, bits);
        }
    }
}
