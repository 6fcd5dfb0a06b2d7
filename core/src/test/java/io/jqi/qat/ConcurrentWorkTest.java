package io.jqi.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqi.models.BuiltInModels;
import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.nn.optim.Adam;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.TargetPlatform;
import io.jqi.quant.TrainingMethod;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * jqi embedded in an application: two QAT trainings and a PTQ on parallel threads of one JVM give the bits they give
 * one after the other. Each job owns its models and tensors; what they share (the quantizer registry, the backend
 * table, the CPU kernels' thread pool) is safe to share (docs/architecture.md, "Threads").
 */
class ConcurrentWorkTest {
    private static final int[] IMAGE = {1, 8, 8};

    /** Everything a job computed, as raw float bits in order. */
    private record Bits(List<Integer> values) {
    }

    private static List<Tensor> batches(long seed, int count) {
        Random random = new Random(seed);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Tensor.randn(random, 8, IMAGE[0], IMAGE[1], IMAGE[2]));
        }
        return out;
    }

    private static void add(List<Integer> bits, float[] values) {
        for (float v : values) {
            bits.add(Float.floatToRawIntBits(v));
        }
    }

    /** Initialises QAT from {@code model} with {@code config}, trains a few steps, records losses and weights. */
    private static Bits qat(String modelName, QatConfig config, long seed) {
        Module model = BuiltInModels.create(modelName, IMAGE, 10, (int) seed);
        List<Tensor> data = batches(seed, 3);
        GraphModel qat = Qat.init(model, data, config, TargetPlatform.defaultPlatform());
        Adam optimizer = new Adam(qat.parameters(), 0.01);
        Random labels = new Random(seed + 1);
        List<Integer> bits = new ArrayList<>();
        qat.train();
        for (int step = 0; step < 4; step++) {
            int[] y = new int[8];
            for (int i = 0; i < y.length; i++) {
                y[i] = labels.nextInt(10);
            }
            optimizer.zeroGrad();
            Tensor loss = Losses.crossEntropy(qat.forward(data.get(step % data.size())), y);
            loss.backward();
            optimizer.step();
            add(bits, loss.toFloatArray());
        }
        qat.parameters().forEach(p -> add(bits, p.toFloatArray()));
        Qat.finalize(qat);
        add(bits, qat.forward(data.get(0)).toFloatArray());
        return new Bits(bits);
    }

    private static Bits ptq(long seed) {
        Module model = BuiltInModels.create("resnet", IMAGE, 10, (int) seed);
        List<Tensor> data = batches(seed, 2);
        GraphModel q = Ptq.quantize(model, data, TargetPlatform.defaultPlatform(), PtqConfig.defaults());
        List<Integer> bits = new ArrayList<>();
        add(bits, q.eval().forward(data.get(1)).toFloatArray());
        return new Bits(bits);
    }

    private static List<Callable<Bits>> jobs() {
        QatConfig lsq = QatConfig.builder()
                .weights(w -> w.training(TrainingMethod.LSQ).symmetric(4))
                .activations(a -> a.training(TrainingMethod.LSQ).uniform(4))
                .build();
        return List.of(() -> qat("cnn", QatConfig.defaults(), 3), () -> qat("mlp", lsq, 4), () -> ptq(5));
    }

    @Test
    void trainingsAndPtqOnParallelThreadsGiveTheBitsTheyGiveOneAfterTheOther() throws Exception {
        List<Bits> sequential = new ArrayList<>();
        for (Callable<Bits> job : jobs()) {
            sequential.add(job.call());
        }
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 2; round++) {
                List<Future<Bits>> parallel = threads.invokeAll(jobs());
                for (int i = 0; i < parallel.size(); i++) {
                    assertEquals(sequential.get(i), parallel.get(i).get(), "job " + i + ", round " + round);
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
