package io.jqi.cuda;

import io.jqi.tensor.Backend;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every trainable quantizer class of {@code io.jqi.quant.trainable}, run on a device backend that fuses quantizers
 * (its forward one autograd node, its backward the fused kernel), against the same quantizer on the CPU, where the
 * composed ops run: the forward and dx bit for bit, the parameter gradients within the {@link GradientBounds}
 * bound. Run on the GPU by {@link FusedQuantizerGpuTest} and on the host-compiled kernels by
 * {@link FusedQuantizerEmulationTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FusedQuantizerCases {

    /** The CUDA device's backend under test; skips (an assumption) where it cannot run. */
    abstract Backend backend();

    /** Multiplies every case's leading extent (TrainableCases.all). */
    abstract int scale();

    Stream<TrainableCase> cases() {
        return TrainableCases.all(scale());
    }

    /** The case with its tensors on {@link #backend()}. */
    TrainableCase.CpuResult onDevice(TrainableCase c, float[] x, float[] dy) {
        return c.on(backend(), x, dy);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardAndInputGradientAreTheComposedPathsBitForBit(TrainableCase c) {
        float[] x = QuantInputs.x(c.layout(), c.channelRanges(), 91, true);
        float[] dy = QuantInputs.dy(x.length, 92, true);
        TrainableCase.CpuResult cpu = c.cpu(x, dy);
        TrainableCase.CpuResult device = onDevice(c, x, dy);
        Agreement.assertSameBits(c + " forward", x, cpu.y(), device.y());
        Agreement.assertSameBits(c + " dx", x, cpu.gradients().dx(), device.gradients().dx());
    }

    Stream<TrainableCase> trainingCases() {
        return cases().filter(TrainableCase::trains);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainingCases")
    void parameterGradientsReachTheVariablesWithinTheBound(TrainableCase c) {
        float[] x = QuantInputs.x(c.layout(), c.channelRanges(), 93, false);
        float[] dy = QuantInputs.dy(x.length, 94, false);
        GradientBounds.Result reference = GradientBounds.of(c, x, dy);
        QuantizerGradients actual = onDevice(c, x, dy).gradients();
        double[][] exact = reference.exact();
        double[][] bound = reference.bound();
        if (c.uniform()) {
            Agreement.assertWithinBound(c + " dMin", exact[0], bound[0], actual.dMin());
            Agreement.assertWithinBound(c + " dMax", exact[1], bound[1], actual.dMax());
        } else {
            Agreement.assertWithinBound(c + " dT", exact[0], bound[0], actual.dThresholds());
        }
    }
}
