package io.jqi.cuda;

import static io.jqi.cuda.DeviceAssertions.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqi.models.BuiltInModels;
import io.jqi.nn.Module;
import io.jqi.nn.optim.Adam;
import io.jqi.nn.optim.Optimizer;
import io.jqi.quant.registry.TrainingMethod;
import io.jqi.tensor.Device;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Whole training steps on the CUDA backend against the same steps on the CPU. GEMM, convolution and element-wise
 * ops are bit-exact; sums and exp/log agree within an ulp, and those differences reach the parameters, so the
 * comparison uses tolerances: the loss relatively, the parameters in units of the Adam step (a gradient whose sign
 * an ulp flips moves its parameter the other way, by lr at most per step).
 */
@Tag("gpu")
class CudaTrainingGpuTest {
    private static final int[] IMAGE = {1, 16, 16};
    private static final int BATCH = 32;
    private static final int STEPS = 3;
    private static final double LR = 1e-3;

    @BeforeEach
    void requireCuda() {
        CudaAvailability cuda = CudaProbe.probe();
        assumeTrue(cuda.available(), () -> "CUDA is unavailable: " + cuda.reason());
    }

    /** The losses of {@link #STEPS} Adam steps on fixed batches; the model is trained in place. */
    private static float[] train(Module model, Device device) {
        model.to(device);
        model.train();
        Optimizer optimizer = new Adam(model.parameters(), LR);
        Random random = new Random(99);
        float[] losses = new float[STEPS];
        for (int step = 0; step < STEPS; step++) {
            Tensor x = QatCnn.images(random, BATCH, IMAGE).to(device);
            int[] labels = QatCnn.labels(random, BATCH);
            optimizer.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(x), labels);
            loss.backward();
            optimizer.step();
            losses[step] = loss.item();
        }
        return losses;
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

    @Test
    void qatStepsOfTheCnnAgreeWithTheCpu() {
        Module cpu = QatCnn.create(IMAGE, QatCnn.steW8A8(), 11);
        Module gpu = QatCnn.create(IMAGE, QatCnn.steW8A8(), 11);
        float[] cpuLosses = train(cpu, Device.CPU);
        float[] gpuLosses = train(gpu, Device.CUDA);
        for (int s = 0; s < STEPS; s++) {
            assertEquals(cpuLosses[s], gpuLosses[s], 1e-4f * Math.abs(cpuLosses[s]), "loss of step " + s);
        }
        assertParametersClose(state(cpu), state(gpu));
    }

    @Test
    void lsqStepsOfTheCnnAgreeWithTheCpu() {
        Module cpu = QatCnn.create(IMAGE, QatCnn.config(TrainingMethod.LSQ, 4), 13);
        Module gpu = QatCnn.create(IMAGE, QatCnn.config(TrainingMethod.LSQ, 4), 13);
        float[] cpuLosses = train(cpu, Device.CPU);
        float[] gpuLosses = train(gpu, Device.CUDA);
        for (int s = 0; s < STEPS; s++) {
            assertEquals(cpuLosses[s], gpuLosses[s], 1e-3f * Math.abs(cpuLosses[s]), "loss of step " + s);
        }
        assertParametersClose(state(cpu), state(gpu));
    }

    private static void assertParametersClose(Map<String, Tensor> cpu, Map<String, Tensor> gpu) {
        assertEquals(cpu.keySet(), gpu.keySet());
        double bound = 2 * LR * STEPS + 1e-6;
        int total = 0;
        int moved = 0;
        List<String> far = new ArrayList<>();
        for (String name : cpu.keySet()) {
            float[] e = cpu.get(name).toFloatArray();
            float[] a = gpu.get(name).toFloatArray();
            for (int j = 0; j < e.length; j++) {
                // Running variances and thresholds are not Adam-bounded in absolute terms: compare relatively too.
                double diff = Math.abs((double) e[j] - a[j]);
                total++;
                if (diff > 1e-5 * Math.max(1, Math.abs(e[j]))) {
                    moved++;
                }
                if (diff > bound * Math.max(1, Math.abs(e[j]))) {
                    far.add(name + "[" + j + "]: CPU " + e[j] + ", CUDA " + a[j]);
                }
            }
        }
        assertTrue(far.isEmpty(), () -> far.size() + " values differ by more than the Adam steps allow: "
                + far.subList(0, Math.min(10, far.size())));
        int movedCount = moved;
        int totalCount = total;
        assertTrue(moved <= total / 100, () -> movedCount + " of " + totalCount + " values differ by more than 1e-5");
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
