package io.jqi.cuda;

import io.jqi.quant.AffineGrid;
import io.jqi.quant.Grid;
import io.jqi.quant.PowerOfTwo;
import io.jqi.quant.RoundingMode;
import io.jqi.quant.UniformRange;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kernels that derive a trainable quantizer's grid on the device, against the CPU grids, bit for bit. Run on the
 * GPU by {@link ParameterKernelsGpuTest} and on the host-compiled kernels by {@link ParameterKernelsEmulationTest}.
 */
abstract class ParameterKernelCases {

    /** The kernels under test; skips (an assumption) where they cannot run. */
    abstract QuantKernels kernels();

    /** Channels per case. */
    abstract int channels();

    @Test
    void symmetricStepsAreTheSymmetricGridsSteps() {
        QuantKernels gpu = kernels();
        Random random = new Random(101);
        float[] thresholds = new float[channels()];
        for (int i = 0; i < thresholds.length; i++) {
            thresholds[i] = i % 3 == 0 ? Float.intBitsToFloat(random.nextInt(0x7f000000))
                    : (float) Math.scalb(random.nextDouble() + 0.5, random.nextInt(40) - 20);
        }
        for (int bits : new int[] {2, 8, 16}) {
            for (boolean signed : new boolean[] {true, false}) {
                AffineGrid grid = (AffineGrid) Grid.symmetric(thresholds, bits, signed, RoundingMode.HALF_EVEN);
                float[] expected = new float[thresholds.length];
                for (int c = 0; c < expected.length; c++) {
                    expected[c] = grid.step(c);
                }
                Agreement.assertSameBits(bits + " bits, signed " + signed, thresholds, expected,
                        gpu.symmetricSteps(thresholds, bits, signed, false, 0f));
            }
        }
    }

    @Test
    void powerOfTwoStepsRoundTheThresholdUpFirst() {
        QuantKernels gpu = kernels();
        Random random = new Random(102);
        float[] thresholds = new float[channels()];
        for (int i = 0; i < thresholds.length; i++) {
            // Subnormals, exact powers of two and everything in between, up to 2^127 (which still rounds up).
            thresholds[i] = i < 160 ? Float.intBitsToFloat(1 << (i % 31)) * (i < 80 ? 1f : 1.5f)
                    : Float.intBitsToFloat(random.nextInt(0x7f000000));
        }
        float minThreshold = 0x1p-16f;
        float[] expected = new float[thresholds.length];
        for (int c = 0; c < expected.length; c++) {
            expected[c] = roundUpOrNaN(Math.max(thresholds[c], minThreshold)) / 8f;
        }
        Agreement.assertSameBits("power of two, 4 bits", thresholds, expected,
                gpu.symmetricSteps(thresholds, 4, true, true, minThreshold));
    }

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

    /** PowerOfTwo.roundUp, and NaN where it throws (beyond Float.MAX_VALUE): what the kernel writes there. */
    private static float roundUpOrNaN(float t) {
        try {
            return PowerOfTwo.roundUp(t);
        } catch (IllegalArgumentException e) {
            return Float.NaN;
        }
    }
}
