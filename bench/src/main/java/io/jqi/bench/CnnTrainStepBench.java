package io.jqi.bench;

import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.Module;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.nn.optim.Adam;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.trainable.QuantizationParams;
import io.jqi.quant.trainable.STESymmetricActivationTrainableQuantizer;
import io.jqi.quant.trainable.STEWeightQATQuantizer;
import io.jqi.quant.trainable.TrainableQuantizerActivationConfig;
import io.jqi.quant.trainable.TrainableQuantizerWeightsConfig;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One training step (forward, cross-entropy, backward, Adam) of the small CNN of the training tests (conv-relu-pool
 * x2, dense) on a batch of {@link #BATCH} 28x28 images: float, and the same network quantization-aware (w8a8 STE:
 * per-channel weights, activation holders after each ReLU), so the QAT overhead is a ratio measured in one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class CnnTrainStepBench {
    static final int BATCH = 64;

    private Tensor images;
    private int[] labels;
    private Module floatModel;
    private Adam floatOptimizer;
    private Module qatModel;
    private Adam qatOptimizer;

    private static Sequential cnn(Random random) {
        return new Sequential(
                new Conv2D(1, 16, 3, 1, 1, random), new ReLU(), new MaxPool2D(2),
                new Conv2D(16, 32, 3, 1, 1, random), new ReLU(), new MaxPool2D(2),
                new Flatten(), new Dense(32 * 7 * 7, 10, true, random));
    }

    private static Sequential quantizationAware(Sequential model) {
        List<Module> layers = new ArrayList<>();
        for (Module layer : model.namedChildren().values()) {
            if (layer instanceof Conv2D || layer instanceof Dense) {
                Tensor w = layer.namedParameters().get("weight");
                float[] t = new float[w.shape().dim(0)];
                float[] v = w.toFloatArray();
                int per = v.length / t.length;
                for (int i = 0; i < v.length; i++) {
                    t[i / per] = Math.max(t[i / per], Math.abs(v[i]));
                }
                layers.add(new QuantizationWrapper(layer, Map.of("weight", new STEWeightQATQuantizer(
                        TrainableQuantizerWeightsConfig.perChannel(QuantizationMethod.SYMMETRIC, 8, t, 0)))));
            } else {
                layers.add(layer);
                if (layer instanceof ReLU) {
                    layers.add(new ActivationQuantizationHolder(new STESymmetricActivationTrainableQuantizer(
                            TrainableQuantizerActivationConfig.of(QuantizationMethod.POWER_OF_TWO, 8,
                                    QuantizationParams.threshold(4f, false)))));
                }
            }
        }
        return new Sequential(layers.toArray(new Module[0]));
    }

    @Setup
    public void setUp() {
        Random random = new Random(42);
        images = Tensor.uniform(random, 0f, 1f, BATCH, 1, 28, 28);
        labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            labels[i] = random.nextInt(10);
        }
        floatModel = cnn(new Random(1));
        floatOptimizer = new Adam(floatModel.parameters(), 1e-3);
        qatModel = quantizationAware(cnn(new Random(1)));
        qatOptimizer = new Adam(qatModel.parameters(), 1e-3);
    }

    private float step(Module model, Adam optimizer) {
        optimizer.zeroGrad();
        Tensor loss = Losses.crossEntropy(model.forward(images), labels);
        loss.backward();
        optimizer.step();
        return loss.item();
    }

    @Benchmark
    public float floatStep() {
        return step(floatModel, floatOptimizer);
    }

    @Benchmark
    public float qatStep() {
        return step(qatModel, qatOptimizer);
    }
}
