package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jqi.quant.ChannelLayout;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused backward kernels (and the forward on the grid derived on the device) against the CPU trainable
 * quantizers' autograd, for every trainable quantizer class and gradient option: dx and the forward bit for bit,
 * parameter gradients within {@link Agreement#TOLERANCE} of their magnitude bound, and the same bits on every run.
 * Run on the GPU by {@link TrainableBackwardGpuTest} and on the host-compiled kernels by
 * {@link TrainableBackwardEmulationTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TrainableBackwardCases {

    /** The kernels under test; skips (an assumption) where they cannot run. */
    abstract QuantKernels kernels();

    /** Multiplies every case's leading extent (TrainableCases.all). */
    abstract int scale();

    Stream<TrainableCase> cases() {
        return TrainableCases.all(scale());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void inputGradientIsTheAutogradsBitForBit(TrainableCase c) {
        QuantKernels gpu = kernels();
        float[] x = QuantInputs.x(c.layout(), c.channelRanges(), 51, true);
        float[] dy = QuantInputs.dy(x.length, 52, true);
        float[] expected = c.cpu(x, dy).gradients().dx();
        Agreement.assertSameBits(c + " dx", x, expected, run(gpu, c, x, dy).dx());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardOnTheDeviceDerivedGridIsTheQuantizersBitForBit(TrainableCase c) {
        QuantKernels gpu = kernels();
        float[] x = QuantInputs.x(c.layout(), c.channelRanges(), 61, true);
        float[] expected = c.cpu(x, new float[x.length]).y();
        ChannelLayout layout = c.layout();
        float[] actual;
        if (c.uniform()) {
            float[][] grid = gpu.uniformGrid(c.mins(), c.maxs(), c.bits());
            actual = gpu.affine(x, grid[0], grid[1], 0f, (float) ((1L << c.bits()) - 1), layout);
        } else {
            float levels = (float) (1L << (c.signed() ? c.bits() - 1 : c.bits()));
            float[] steps = gpu.symmetricSteps(c.thresholds(), c.bits(), c.signed(), c.powerOfTwo(),
                    c.minThreshold());
            actual = gpu.affine(x, steps, new float[steps.length], c.signed() ? -levels : 0f, levels - 1f, layout);
        }
        Agreement.assertSameBits(c + " forward", x, expected, actual);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parameterGradientsAgreeWithTheAutogradWithinTheBound(TrainableCase c) {
        QuantKernels gpu = kernels();
        if (!c.trains()) {
            return;
        }
        float[] x = QuantInputs.x(c.layout(), c.channelRanges(), 71, false);
        float[] dy = QuantInputs.dy(x.length, 72, false);
        GradientBounds.Result reference = GradientBounds.of(c, x, dy);
        QuantizerGradients cpu = c.cpu(x, dy).gradients();
        QuantizerGradients actual = run(gpu, c, x, dy);
        double[][] exact = reference.exact();
        double[][] bound = reference.bound();
        if (c.uniform()) {
            // The CPU autograd obeys the bound too, so the kernel and the CPU are within twice of it of each other.
            Agreement.assertWithinBound(c + " dMin (CPU)", exact[0], bound[0], cpu.dMin());
            Agreement.assertWithinBound(c + " dMax (CPU)", exact[1], bound[1], cpu.dMax());
            Agreement.assertWithinBound(c + " dMin", exact[0], bound[0], actual.dMin());
            Agreement.assertWithinBound(c + " dMax", exact[1], bound[1], actual.dMax());
            Agreement.assertWithinBound(c + " dMin vs CPU", toDouble(cpu.dMin()), twice(bound[0]), actual.dMin());
            Agreement.assertWithinBound(c + " dMax vs CPU", toDouble(cpu.dMax()), twice(bound[1]), actual.dMax());
        } else {
            Agreement.assertWithinBound(c + " dT (CPU)", exact[0], bound[0], cpu.dThresholds());
            Agreement.assertWithinBound(c + " dT", exact[0], bound[0], actual.dThresholds());
            Agreement.assertWithinBound(c + " dT vs CPU", toDouble(cpu.dThresholds()), twice(bound[0]),
                    actual.dThresholds());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyRunGivesTheSameBits(TrainableCase c) {
        QuantKernels gpu = kernels();
        float[] x = QuantInputs.x(c.layout(), c.channelRanges(), 81, false);
        float[] dy = QuantInputs.dy(x.length, 82, false);
        QuantizerGradients first = run(gpu, c, x, dy);
        for (int run = 0; run < 3; run++) {
            QuantizerGradients again = run(gpu, c, x, dy);
            assertArrayEquals(bits(first.dx()), bits(again.dx()), c + " dx, run " + run);
            assertArrayEquals(bits(first.dThresholds()), bits(again.dThresholds()), c + " dT, run " + run);
            assertArrayEquals(bits(first.dMin()), bits(again.dMin()), c + " dMin, run " + run);
            assertArrayEquals(bits(first.dMax()), bits(again.dMax()), c + " dMax, run " + run);
        }
    }

    static QuantizerGradients run(QuantKernels gpu, TrainableCase c, float[] x, float[] dy) {
        if (c.uniform()) {
            return gpu.uniform(x, dy, c.mins(), c.maxs(), c.bits(), c.rule(), c.trains(), c.layout());
        }
        // The steps as a training step would have them: derived on the device from the threshold variable.
        float[] steps = gpu.symmetricSteps(c.thresholds(), c.bits(), c.signed(), c.powerOfTwo(),
                c.minThreshold());
        return gpu.symmetric(x, dy, steps, c.bits(), c.signed(), c.rule(), c.trains(), c.layout());
    }

    private static int[] bits(float[] values) {
        if (values == null) {
            return null;
        }
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static double[] twice(double[] bound) {
        double[] out = new double[bound.length];
        for (int i = 0; i < bound.length; i++) {
            out[i] = 2 * bound[i];
        }
        return out;
    }
}
