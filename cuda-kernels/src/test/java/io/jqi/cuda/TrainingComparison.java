package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.Module;
import io.jqi.nn.optim.Adam;
import io.jqi.nn.optim.Optimizer;
import io.jqi.tensor.Device;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Adam training steps of the cnn on fixed batches, and the comparison of a CUDA run with the CPU's: shared by the
 * training tests of each GEMM choice. Parameters are compared in units of the Adam step (a gradient whose sign an
 * ulp flips moves its parameter the other way, by lr at most per step).
 */
final class TrainingComparison {
    static final int[] IMAGE = {1, 16, 16};
    static final int BATCH = 32;
    static final int STEPS = 3;
    static final double LR = 1e-3;

    private TrainingComparison() {
    }

    /** The losses of {@link #STEPS} Adam steps on fixed batches; the model is trained in place. */
    static float[] train(Module model, Device device) {
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

    static void assertParametersClose(Map<String, Tensor> cpu, Map<String, Tensor> gpu) {
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
}
