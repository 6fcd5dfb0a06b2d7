package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jqi.quant.AffineGrid;
import io.jqi.quant.ChannelLayout;
import io.jqi.quant.Grid;
import io.jqi.quant.PowerOfTwo;
import io.jqi.quant.RoundingMode;
import io.jqi.quant.UniformRange;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The kernels' formulas, transcribed in {@link KernelReference}, against the CPU quantizers and their autograd on
 * this machine: the part of the GPU contract that needs no GPU. The GPU tests then hold the kernels themselves to
 * the same CPU results.
 */
class KernelReferenceTest {

    static Stream<TrainableCase> cases() {
        return TrainableCases.all(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void inputGradientIsTheAutogradsBitForBit(TrainableCase c) {
        float[] x = QuantInputs.x(c.layout(), c.channelRanges(), 11, true);
        float[] dy = QuantInputs.dy(x.length, 12, true);
        float[] expected = c.cpu(x, dy).gradients().dx();
        Agreement.assertSameBits(c + " dx", x, expected, reference(c, x, dy).gradients().dx());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardOnTheDerivedGridIsTheQuantizersBitForBit(TrainableCase c) {
        float[] x = QuantInputs.x(c.layout(), c.channelRanges(), 21, true);
        float[] expected = c.cpu(x, new float[x.length]).y();
        Agreement.assertSameBits(c + " forward", x, expected, forward(c, x));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parameterGradientsAgreeWithTheAutogradWithinTheBound(TrainableCase c) {
        if (!c.trains()) {
            return;
        }
        float[] x = QuantInputs.x(c.layout(), c.channelRanges(), 31, false);
        float[] dy = QuantInputs.dy(x.length, 32, false);
        QuantizerGradients cpu = c.cpu(x, dy).gradients();
        KernelReference.Result reference = reference(c, x, dy);
        if (c.uniform()) {
            Agreement.assertWithinBound(c + " dMin (CPU)", reference.exact()[0], reference.bound()[0], cpu.dMin());
            Agreement.assertWithinBound(c + " dMax (CPU)", reference.exact()[1], reference.bound()[1], cpu.dMax());
            Agreement.assertWithinBound(c + " dMin (reference)", reference.exact()[0], reference.bound()[0],
                    reference.gradients().dMin());
            Agreement.assertWithinBound(c + " dMax (reference)", reference.exact()[1], reference.bound()[1],
                    reference.gradients().dMax());
        } else {
            Agreement.assertWithinBound(c + " dT (CPU)", reference.exact()[0], reference.bound()[0],
                    cpu.dThresholds());
            Agreement.assertWithinBound(c + " dT (reference)", reference.exact()[0], reference.bound()[0],
                    reference.gradients().dThresholds());
        }
    }

    @Test
    void symmetricStepsAreTheSymmetricGridsSteps() {
        Random random = new Random(41);
        float[] thresholds = new float[4096];
        for (int i = 0; i < thresholds.length; i++) {
            thresholds[i] = i % 3 == 0 ? Float.intBitsToFloat(random.nextInt(0x7f000000))
                    : (float) Math.scalb(random.nextDouble() + 0.5, random.nextInt(40) - 20);
        }
        for (int bits : new int[] {2, 8, 16}) {
            for (boolean signed : new boolean[] {true, false}) {
                AffineGrid grid = (AffineGrid) Grid.symmetric(thresholds, bits, signed, RoundingMode.HALF_EVEN);
                float[] steps = KernelReference.symmetricSteps(thresholds, bits, signed, false, 0f);
                for (int c = 0; c < thresholds.length; c++) {
                    assertBits(grid.step(c), steps[c], "threshold " + thresholds[c]);
                }
            }
        }
    }

    @Test
    void powerOfTwoRoundingIsPowerOfTwoRoundUp() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            float t = i < 64 ? Float.intBitsToFloat(1 << (i % 31)) : Float.intBitsToFloat(random.nextInt(0x7f000000));
            if (t > 0f && t <= 0x1p127f) {
                assertBits(PowerOfTwo.roundUp(t), KernelReference.potRoundUp(t), "threshold " + t);
            }
        }
    }

    @Test
    void uniformGridIsTheAdjustedAffineGrid() {
        Random random = new Random(43);
        int n = 20_000;
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
            float[][] reference = KernelReference.uniformGrid(mins, maxs, bits);
            for (int c = 0; c < n; c++) {
                assertBits(grid.step(c), reference[0][c], "step of [" + mins[c] + ", " + maxs[c] + "]");
                assertBits(grid.zeroPoint(c), reference[1][c], "zero point of [" + mins[c] + ", " + maxs[c] + "]");
            }
        }
    }

    static KernelReference.Result reference(TrainableCase c, float[] x, float[] dy) {
        if (c.uniform()) {
            return KernelReference.uniform(x, dy, c.mins(), c.maxs(), c.bits(), c.rule(), c.trains(), c.layout());
        }
        return KernelReference.symmetric(x, dy, c.steps(), c.bits(), c.signed(), c.rule(), c.trains(), c.layout());
    }

    /** jqi_fake_quant_affine on the grid the parameter kernels derive, via the CPU grid it mirrors. */
    static float[] forward(TrainableCase c, float[] x) {
        ChannelLayout layout = c.layout();
        float[] y = new float[x.length];
        if (c.uniform()) {
            float[][] grid = KernelReference.uniformGrid(c.mins(), c.maxs(), c.bits());
            new AffineGrid(grid[0], grid[1], 0f, (float) ((1L << c.bits()) - 1)).apply(x, y, layout);
        } else {
            float levels = (float) (1L << (c.signed() ? c.bits() - 1 : c.bits()));
            float[] steps = c.steps();
            new AffineGrid(steps, new float[steps.length], c.signed() ? -levels : 0f, levels - 1f).apply(x, y,
                    layout);
        }
        return y;
    }

    private static void assertBits(float expected, float actual, String what) {
        assertArrayEquals(new int[] {Float.floatToIntBits(expected)}, new int[] {Float.floatToIntBits(actual)},
                () -> what + ": expected " + expected + ", got " + actual);
    }
}
