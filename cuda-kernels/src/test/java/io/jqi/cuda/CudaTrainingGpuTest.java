package io.jqi.cuda;

import static io.jqi.cuda.DeviceAssertions.assertSameBits;
import static io.jqi.cuda.TrainingComparison.BATCH;
import static io.jqi.cuda.TrainingComparison.IMAGE;
import static io.jqi.cuda.TrainingComparison.STEPS;
import static io.jqi.cuda.TrainingComparison.assertParametersClose;
import static io.jqi.cuda.TrainingComparison.train;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqi.models.BuiltInModels;
import io.jqi.nn.Module;
import io.jqi.qat.QatConfig;
import io.jqi.quant.TrainingMethod;
import io.jqi.tensor.Device;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Whole training steps on the CUDA backend against the same steps on the CPU, with the GEMM that -Djqi.cuda.gemm
 * selects (auto by default: cuBLAS where it loads). With jqi's kernel GEMM and convolution are bit-exact, with
 * cuBLAS within the GEMM tolerance; sums and exp/log agree within an ulp either way, and those differences reach
 * the parameters, so the comparison uses tolerances (see {@link TrainingComparison}) that cover both GEMMs.
 */
@Tag("gpu")
class CudaTrainingGpuTest {

    @BeforeEach
    void requireCuda() {
        CudaAvailability cuda = CudaProbe.probe();
        assumeTrue(cuda.available(), () -> "CUDA is unavailable: " + cuda.reason());
    }

    private static Map<String, Tensor> state(Module model) {
        return model.stateDict();
    }

    @Test
    void floatGradientsOfTheCnnAgreeWithTheCpu() {
        Module cpu = BuiltInModels.create("cnn", IMAGE, QatCnn.CLASSES, 5);
        Module gpu = BuiltInModels.create("cnn", IMAGE, QatCnn.CLASSES, 5).to(Device.CUDA);
        Random random = new Random(3);
        Tensor x = QatCnn.images(random, BATCH, IMAGE);
        int[] labels = QatCnn.labels(random, BATCH);
        Tensor cpuLoss = Losses.crossEntropy(cpu.forward(x), labels);
        Tensor gpuLoss = Losses.crossEntropy(gpu.forward(x.to(Device.CUDA)), labels);
        assertEquals(cpuLoss.item(), gpuLoss.item(), 1e-5f * Math.abs(cpuLoss.item()), "loss");
        cpuLoss.backward();
        gpuLoss.backward();
        List<Tensor> cp = cpu.parameters();
        List<Tensor> gp = gpu.parameters();
        for (int i = 0; i < cp.size(); i++) {
            float[] e = cp.get(i).grad().toFloatArray();
            float[] a = gp.get(i).grad().toFloatArray();
            float scale = 0f;
            for (float v : e) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < e.length; j++) {
                assertTrue(Math.abs(e[j] - a[j]) <= 1e-4f * scale + 1e-12f, "parameter " + i + " gradient " + j
                        + ": CPU " + e[j] + ", CUDA " + a[j] + " (largest magnitude " + scale + ")");
            }
        }
    }

    /** STEPS training steps of the cnn under {@code config}, on both devices: losses within {@code lossTolerance}. */
    private static void assertStepsAgreeWithTheCpu(QatConfig config, long seed, float lossTolerance) {
        Module cpu = QatCnn.create(IMAGE, config, seed);
        Module gpu = QatCnn.create(IMAGE, config, seed);
        float[] cpuLosses = train(cpu, Device.CPU);
        float[] gpuLosses = train(gpu, Device.CUDA);
        for (int s = 0; s < STEPS; s++) {
            assertEquals(cpuLosses[s], gpuLosses[s], lossTolerance * Math.abs(cpuLosses[s]), "loss of step " + s);
        }
        assertParametersClose(state(cpu), state(gpu));
    }

    @Test
    void qatStepsOfTheCnnAgreeWithTheCpu() {
        assertStepsAgreeWithTheCpu(QatCnn.steW8A8(), 11, 1e-4f);
    }

    @Test
    void lsqStepsOfTheCnnAgreeWithTheCpu() {
        assertStepsAgreeWithTheCpu(QatCnn.config(TrainingMethod.LSQ, 4), 13, 1e-3f);
    }

    /** The uniform quantizers' fused path (the symmetric ones are covered by the STE and LSQ steps above). */
    @Test
    void lsqUniformStepsOfTheCnnAgreeWithTheCpu() {
        QatConfig config = QatConfig.builder()
                .weights(w -> w.training(TrainingMethod.LSQ).uniform(4))
                .activations(a -> a.training(TrainingMethod.LSQ).uniform(8))
                .build();
        assertStepsAgreeWithTheCpu(config, 31, 1e-3f);
    }

    @Test
    void cudaTrainingIsRunToRunIdentical() {
        Module first = QatCnn.create(IMAGE, QatCnn.steW8A8(), 17);
        Module second = QatCnn.create(IMAGE, QatCnn.steW8A8(), 17);
        float[] firstLosses = train(first, Device.CUDA);
        float[] secondLosses = train(second, Device.CUDA);
        assertSameBits(firstLosses, secondLosses, "losses");
        Map<String, Tensor> a = state(first);
        Map<String, Tensor> b = state(second);
        for (String name : a.keySet()) {
            assertSameBits(a.get(name).toFloatArray(), b.get(name).toFloatArray(), name);
        }
    }

    @Test
    void aModuleMovedToCudaAndBackKeepsItsValues() {
        Module model = QatCnn.create(IMAGE, QatCnn.steW8A8(), 19);
        Map<String, Tensor> before = state(model);
        model.to(Device.CUDA);
        model.parameters().forEach(p -> assertEquals(Device.CUDA, p.device()));
        model.to(Device.CPU);
        Map<String, Tensor> after = state(model);
        for (String name : before.keySet()) {
            assertSameBits(before.get(name).toFloatArray(), after.get(name).toFloatArray(), name);
        }
    }
}
