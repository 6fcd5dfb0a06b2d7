package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.Module;
import io.jqi.qat.QatConfig;
import io.jqi.quant.TrainingMethod;
import io.jqi.tensor.Backend;
import io.jqi.tensor.CpuBackend;
import io.jqi.tensor.Device;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Tensor;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A QAT training step of the cnn on {@link HostKernelBackend} (the CUDA kernels compiled for the host, the trainable
 * quantizers fused) against the same step on the CPU (composed): the loss and every gradient, quantizer parameters
 * included, agree within the rounding of the backend's different summation orders, and every quantizer ran fused.
 * Runs where g++ is on the PATH; {@code -Djqi.kernelEmulation=false} skips it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FusedTrainingEmulationTest {
    private static final int[] IMAGE = {1, 8, 8};
    /** Small: every kernel call is a host process. */
    private static final int BATCH = 4;
    /** Of each gradient tensor's largest magnitude: sums in another order, then carried through the network. */
    private static final float GRADIENT_TOLERANCE = 1e-3f;
    /**
     * The same for a quantizer's threshold or range: one value summing every element's term, of both signs, so it
     * can cancel to far below its terms, and the summation order's rounding is relative to the terms, not to it
     * (the per-quantizer bound itself is checked by FusedQuantizerCases).
     */
    private static final float QUANTIZER_PARAMETER_TOLERANCE = 1e-2f;

    private HostKernelBackend backend;

    @BeforeAll
    void build() {
        HostKernels.assumeAvailable();
        backend = new HostKernelBackend(HostKernels.build("kernels_on_host"),
                new HostQuantKernels(HostKernels.build("quant_kernels_on_host")));
    }

    static Stream<Named<QatConfig>> configs() {
        return Stream.of(Named.of("STE w8a8", QatCnn.steW8A8()),
                Named.of("LSQ w4a4", QatCnn.config(TrainingMethod.LSQ, 4)),
                Named.of("LSQ uniform w4a8", QatConfig.builder()
                        .weights(w -> w.training(TrainingMethod.LSQ).uniform(4))
                        .activations(a -> a.training(TrainingMethod.LSQ).uniform(8))
                        .build()),
                Named.of("STE uniform w8a8", QatConfig.builder()
                        .weights(w -> w.training(TrainingMethod.STE).uniform(8))
                        .activations(a -> a.training(TrainingMethod.STE).uniform(8))
                        .build()));
    }

    /** The loss of one forward pass on a fixed batch, in training mode on {@code device}. */
    private static Tensor loss(Module model, Backend device) {
        model.to(device);
        model.train();
        Random random = new Random(7);
        Tensor x = QatCnn.images(random, BATCH, IMAGE).to(device);
        int[] labels = QatCnn.labels(random, BATCH);
        return Losses.crossEntropy(model.forward(x), labels);
    }

    /** The loss of one forward and backward on a fixed batch; the gradients stay on the model's parameters. */
    private static float step(Module model, Backend device) {
        Tensor loss = loss(model, device);
        loss.backward();
        return loss.item();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void aTrainingStepAgreesWithTheCpu(QatConfig config) {
        Module cpu = QatCnn.create(IMAGE, config, 23);
        Module device = QatCnn.create(IMAGE, config, 23);
        float cpuLoss = step(cpu, CpuBackend.INSTANCE);
        float deviceLoss = step(device, backend);
        device.to(Device.CPU);
        assertEquals(cpuLoss, deviceLoss, 1e-4f * Math.abs(cpuLoss), "loss");
        Map<String, Tensor> expected = cpu.namedParameters();
        Map<String, Tensor> actual = device.namedParameters();
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            Tensor e = expected.get(name).grad();
            Tensor a = actual.get(name).grad();
            assertEquals(e == null, a == null, name + ": a gradient on one backend only");
            if (e != null) {
                assertClose(name, e.toFloatArray(), a.toFloatArray(), name.contains("quantizer")
                        ? QUANTIZER_PARAMETER_TOLERANCE : GRADIENT_TOLERANCE);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void everyQuantizerOfTheStepRunsFused(QatConfig config) {
        Module model = QatCnn.create(IMAGE, config, 29);
        int[] before = backend.fusedCalls();
        Tensor loss = loss(model, backend);
        int[] forwardPass = backend.fusedCalls();
        // The backward pass fake-quantizes the convolutions' operands again (SavedTensor): forwards, not counted.
        loss.backward();
        model.to(Device.CPU);
        int[] after = backend.fusedCalls();
        int forwards = forwardPass[0] - before[0];
        assertTrue(forwards > 0, "no quantizer ran fused");
        assertEquals(forwards, after[1] - forwardPass[1], "fused backwards per fused forward of the forward pass");
    }

    private static void assertClose(String name, float[] expected, float[] actual, float tolerance) {
        float scale = 0f;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int j = 0; j < expected.length; j++) {
            assertTrue(Math.abs(expected[j] - actual[j]) <= tolerance * scale + 1e-12f, name + "[" + j
                    + "]: CPU " + expected[j] + ", emulated CUDA " + actual[j] + " (largest magnitude " + scale + ")");
        }
    }
}
