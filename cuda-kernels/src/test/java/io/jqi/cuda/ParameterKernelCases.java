package io.jqi.cuda;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.UniformRange;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kernel that derives a uniform trainable quantizer's grid on the device, against the CPU grids, bit for bit
 * (power-of-two thresholds are the CEIL_POW2 map, {@link BackendAgreementCases}). Run on the GPU by
 * {@link ParameterKernelsGpuTest} and on the host-compiled kernels by {@link ParameterKernelsEmulationTest}.
 */
abstract class ParameterKernelCases {

    /** The kernels under test; skips (an assumption) where they cannot run. */
    abstract QuantKernels kernels();

    /** Channels per case. */
    abstract int channels();

    @Test
    void uniformGridIsTheAdjustedAffineGrid() {
        QuantKernels gpu = kernels();
        Random random = new Random(103);
        int n = channels();
        float[] mins = new float[n];
        float[] maxs = new float[n];
        for (int i = 0; i < n; i++) {
            float a = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(10) - 5));
            float b = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(10) - 5));
            mins[i] = Math.min(a, b);
            maxs[i] = Math.max(a, b) + (a == b ? 1f : 0f);
        }
        for (int bits : new int[] {2, 4, 8, 16}) {
            float[][] adjusted = UniformRange.adjustAll(mins, maxs, bits);
            AffineGrid grid = AffineGrid.uniformAdjusted(adjusted[0], adjusted[1], bits);
            float[] steps = new float[n];
            float[] zeroPoints = new float[n];
            for (int c = 0; c < n; c++) {
                steps[c] = grid.step(c);
                zeroPoints[c] = grid.zeroPoint(c);
            }
            float[][] actual = gpu.uniformGrid(mins, maxs, bits);
            Agreement.assertSameBits("steps, " + bits + " bits", mins, steps, actual[0]);
            Agreement.assertSameBits("zero points, " + bits + " bits", mins, zeroPoints, actual[1]);
        }
    }
}
