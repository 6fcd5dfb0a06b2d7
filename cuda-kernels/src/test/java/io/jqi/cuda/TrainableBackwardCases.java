package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.RoundingMode;
import io.jqi.tensor.CpuBackend;
import io.jqi.tensor.Storage;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fake-quantization kernels on the grid of every trainable quantizer class and gradient option, against the CPU:
 * the forward on the device-derived grid and dx bit for bit (against the quantizer's own autograd and the CPU
 * backend's primitive), the step and offset gradients within {@link Agreement#TOLERANCE} of their magnitude bound,
 * and the same bits on every run. Run on the GPU by {@link TrainableBackwardGpuTest} and on the host-compiled
 * kernels by {@link TrainableBackwardEmulationTest}.
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
        Agreement.assertSameBits(c + " dx (CPU primitive)", x, expected, cpu(c, x, dy, c.trains()).dx());
        Agreement.assertSameBits(c + " dx", x, expected, run(gpu, c, x, dy, c.trains()).dx());
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
            actual = gpu.affine(x, grid[0], grid[1], 0f, (float) ((1L << c.bits()) - 1), RoundingMode.HALF_EVEN,
                    layout);
        } else {
            TrainableCase.Primitive p = c.primitive();
            actual = gpu.affine(x, p.steps(), new float[p.steps().length], p.qmin(), p.qmax(), RoundingMode.HALF_EVEN,
                    layout);
        }
        Agreement.assertSameBits(c + " forward", x, expected, actual);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parameterGradientsAgreeWithTheCpuWithinTheBound(TrainableCase c) {
        QuantKernels gpu = kernels();
        float[] x = QuantInputs.x(c.layout(), c.channelRanges(), 71, false);
        float[] dy = QuantInputs.dy(x.length, 72, false);
        GradientBounds.Result reference = GradientBounds.primitive(c, x, dy);
        FakeQuantGradients cpu = cpu(c, x, dy, true);
        FakeQuantGradients actual = run(gpu, c, x, dy, true);
        double[][] exact = reference.exact();
        double[][] bound = reference.bound();
        // The CPU obeys the bound too, so the kernel and the CPU are within twice of it of each other.
        Agreement.assertWithinBound(c + " dSteps (CPU)", exact[0], bound[0], cpu.dSteps());
        Agreement.assertWithinBound(c + " dSteps", exact[0], bound[0], actual.dSteps());
        Agreement.assertWithinBound(c + " dSteps vs CPU", toDouble(cpu.dSteps()), twice(bound[0]), actual.dSteps());
        if (c.uniform()) {
            Agreement.assertWithinBound(c + " dOffsets (CPU)", exact[1], bound[1], cpu.dOffsets());
            Agreement.assertWithinBound(c + " dOffsets", exact[1], bound[1], actual.dOffsets());
            Agreement.assertWithinBound(c + " dOffsets vs CPU", toDouble(cpu.dOffsets()), twice(bound[1]),
                    actual.dOffsets());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyRunGivesTheSameBits(TrainableCase c) {
        QuantKernels gpu = kernels();
        float[] x = QuantInputs.x(c.layout(), c.channelRanges(), 81, false);
        float[] dy = QuantInputs.dy(x.length, 82, false);
        FakeQuantGradients first = run(gpu, c, x, dy, c.trains());
        for (int run = 0; run < 3; run++) {
            FakeQuantGradients again = run(gpu, c, x, dy, c.trains());
            assertArrayEquals(bits(first.dx()), bits(again.dx()), c + " dx, run " + run);
            assertArrayEquals(bits(first.dSteps()), bits(again.dSteps()), c + " dSteps, run " + run);
            assertArrayEquals(bits(first.dOffsets()), bits(again.dOffsets()), c + " dOffsets, run " + run);
        }
    }

    /** The kernels' backward on the quantizer's primitive parameters. */
    static FakeQuantGradients run(QuantKernels gpu, TrainableCase c, float[] x, float[] dy, boolean parameters) {
        TrainableCase.Primitive p = c.primitive();
        return gpu.backward(x, dy, p.steps(), p.offsets(), p.qmin(), p.qmax(), c.rule().clippedInput(), parameters,
                c.layout());
    }

    /** The CPU backend's primitive on the same parameters. */
    private static FakeQuantGradients cpu(TrainableCase c, float[] x, float[] dy, boolean parameters) {
        TrainableCase.Primitive p = c.primitive();
        CpuBackend cpu = CpuBackend.INSTANCE;
        Storage[] g = cpu.fakeQuantAffineBackward(cpu.fromHost(x), cpu.fromHost(dy), c.layout(),
                cpu.fromHost(p.steps()), p.offsets() == null ? null : cpu.fromHost(p.offsets()), p.qmin(), p.qmax(),
                c.rule().clippedInput(), parameters);
        return new FakeQuantGradients(cpu.toHost(g[0]), g[1] == null ? null : cpu.toHost(g[1]),
                g[2] == null ? null : cpu.toHost(g[2]));
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
