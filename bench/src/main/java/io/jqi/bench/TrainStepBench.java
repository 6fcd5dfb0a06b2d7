package io.jqi.bench;

import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.Module;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.nn.optim.Adam;
import io.jqi.onnx.OnnxImporter;
import io.jqi.ptq.TargetPlatform;
import io.jqi.qat.Qat;
import io.jqi.qat.QatConfig;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.trainable.LSQSymmetricActivationTrainableQuantizer;
import io.jqi.quant.trainable.LSQWeightQATQuantizer;
import io.jqi.quant.trainable.QuantizationParams;
import io.jqi.quant.trainable.STESymmetricActivationTrainableQuantizer;
import io.jqi.quant.trainable.STEWeightQATQuantizer;
import io.jqi.quant.trainable.TrainableQuantizer;
import io.jqi.quant.trainable.TrainableQuantizerActivationConfig;
import io.jqi.quant.trainable.TrainableQuantizerWeightsConfig;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.GradMode;
import io.jqi.tensor.Losses;
import io.jqi.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The workloads of {@code bench/compare}, each the twin of the one of the same name in
 * {@code bench/compare/torch_bench.py}: a training step (forward, cross-entropy, backward, Adam) or an inference batch
 * on {@link #BATCH} single-channel 28x28 images.
 *
 * <ul>
 *   <li>{@code cnn}: conv-relu-pool x2 and a dense layer, built here;</li>
 *   <li>{@code resnet18}: torchvision's ResNet-18 with the CIFAR-style stem, imported from the ONNX file that the
 *       system property {@code jqi.bench.resnet18} names (PyTorch's export, batch norms kept);</li>
 *   <li>{@code qat_ste}: w8a8, per-channel symmetric STE weights and power-of-two activations after every ReLU (for
 *       ResNet-18: {@link Qat#init} with the default config, which folds the batch norms);</li>
 *   <li>{@code qat_lsq}: w4a4 LSQ, per-channel weights and activations after every ReLU, thresholds trained;</li>
 *   <li>{@code resnet18.qat_init}: the post-training phase of QAT, {@link Qat#init} on 512 images.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector",
    "-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
public class TrainStepBench {
    static final int BATCH = 64;
    private static final int CALIBRATION_BATCHES = 8;

    @Param({"cnn.float.train", "cnn.qat_ste.train", "cnn.qat_lsq.train", "cnn.float.eval", "resnet18.float.train",
        "resnet18.qat_ste.train", "resnet18.float.eval", "resnet18.qat_init"})
    public String workload;

    private DoubleSupplier operation;

    @Setup
    public void setUp() {
        operation = operation(workload);
    }

    /** The operation one call of which is one step (or batch) of {@code workload}, set up as the benchmark does. */
    static DoubleSupplier operation(String workload) {
        Random random = new Random(7);
        Tensor images = Tensor.uniform(random, 0f, 1f, BATCH, 1, 28, 28);
        int[] labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            labels[i] = random.nextInt(10);
        }
        return switch (workload) {
            case "cnn.float.train" -> trainStep(cnn(), images, labels);
            case "cnn.qat_ste.train" -> trainStep(quantizationAware(cnn(), false), images, labels);
            case "cnn.qat_lsq.train" -> trainStep(quantizationAware(cnn(), true), images, labels);
            case "cnn.float.eval" -> inference(cnn(), images);
            case "resnet18.float.train" -> trainStep(resnet18(), images, labels);
            case "resnet18.qat_ste.train" -> trainStep(Qat.init(resnet18(), calibration(random),
                    QatConfig.defaults(), TargetPlatform.defaultPlatform()), images, labels);
            case "resnet18.float.eval" -> inference(resnet18(), images);
            case "resnet18.qat_init" -> {
                Module model = resnet18();
                List<Tensor> data = calibration(random);
                yield () -> Qat.init(model, data, QatConfig.defaults(), TargetPlatform.defaultPlatform())
                        .parameters().size();
            }
            default -> throw new IllegalArgumentException("Unknown workload " + workload);
        };
    }

    @Benchmark
    public double run() {
        return operation.getAsDouble();
    }

    private static DoubleSupplier trainStep(Module model, Tensor images, int[] labels) {
        model.train();
        Adam optimizer = new Adam(model.parameters(), 1e-3);
        return () -> {
            optimizer.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(images), labels);
            loss.backward();
            optimizer.step();
            return loss.item();
        };
    }

    private static DoubleSupplier inference(Module model, Tensor images) {
        model.eval();
        return () -> {
            try (GradMode.Scope ignored = GradMode.disabled()) {
                return model.forward(images).toFloatArray()[0];
            }
        };
    }

    private static List<Tensor> calibration(Random random) {
        List<Tensor> batches = new ArrayList<>();
        for (int i = 0; i < CALIBRATION_BATCHES; i++) {
            batches.add(Tensor.uniform(random, 0f, 1f, BATCH, 1, 28, 28));
        }
        return batches;
    }

    static Sequential cnn() {
        Random random = new Random(1);
        return new Sequential(
                new Conv2D(1, 16, 3, 1, 1, random), new ReLU(), new MaxPool2D(2),
                new Conv2D(16, 32, 3, 1, 1, random), new ReLU(), new MaxPool2D(2),
                new Flatten(), new Dense(32 * 7 * 7, 10, true, random));
    }

    private static Module resnet18() {
        String file = System.getProperty("jqi.bench.resnet18");
        if (file == null) {
            throw new IllegalStateException("Set -Djqi.bench.resnet18 to the ONNX file that "
                    + "bench/compare/torch_bench.py --export writes (bench/compare/run does it)");
        }
        return OnnxImporter.importFile(Path.of(file));
    }

    /** {@code model} with every kernel's weights and every ReLU's output fake-quantized (w8a8 STE or w4a4 LSQ). */
    private static Sequential quantizationAware(Sequential model, boolean lsq) {
        int bits = lsq ? 4 : 8;
        List<Module> layers = new ArrayList<>();
        for (Module layer : model.namedChildren().values()) {
            if (layer instanceof Conv2D || layer instanceof Dense) {
                TrainableQuantizerWeightsConfig config = TrainableQuantizerWeightsConfig.perChannel(
                        QuantizationMethod.SYMMETRIC, bits, maxAbsPerChannel(layer.namedParameters().get("weight")),
                        0);
                TrainableQuantizer weights = lsq ? new LSQWeightQATQuantizer(config)
                        : new STEWeightQATQuantizer(config);
                layers.add(new QuantizationWrapper(layer, Map.of("weight", weights)));
            } else {
                layers.add(layer);
                if (layer instanceof ReLU) {
                    TrainableQuantizerActivationConfig config = TrainableQuantizerActivationConfig.of(
                            lsq ? QuantizationMethod.SYMMETRIC : QuantizationMethod.POWER_OF_TWO, bits,
                            QuantizationParams.threshold(4f, false));
                    layers.add(new ActivationQuantizationHolder(lsq
                            ? new LSQSymmetricActivationTrainableQuantizer(config)
                            : new STESymmetricActivationTrainableQuantizer(config)));
                }
            }
        }
        return new Sequential(layers.toArray(new Module[0]));
    }

    private static float[] maxAbsPerChannel(Tensor w) {
        float[] t = new float[w.shape().dim(0)];
        float[] v = w.toFloatArray();
        int per = v.length / t.length;
        for (int i = 0; i < v.length; i++) {
            t[i / per] = Math.max(t[i / per], Math.abs(v[i]));
        }
        return t;
    }
}
