package io.jqi.bench;

import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.trainable.QuantizationParams;
import io.jqi.quant.trainable.STESymmetricActivationTrainableQuantizer;
import io.jqi.quant.trainable.TrainableQuantizerActivationConfig;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.tensor.Tensor;
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
 * The inferable fake-quant forward ({@code quantize}): 8-bit per-channel symmetric weights on a
 * {@code [256, 4096]} tensor (channel axis 0, 4 MiB), and 8-bit per-tensor power-of-two activations on
 * {@code [4096, 4096]} (16 Mi floats, 64 MiB). Traffic is counted as input read + output written, 8 bytes per
 * element, as for {@link ElementwiseBench#copy}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector",
    "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class FakeQuantBench {
    public static final int CHANNELS = 256;
    public static final int CHANNEL_SIZE = 4096;
    public static final int ACTIVATIONS = 4096 * 4096;

    private WeightsSymmetricInferableQuantizer weights;
    private ActivationPOTInferableQuantizer activations;
    private Tensor w;
    private Tensor act;
    private ActivationQuantizationHolder trainable;
    private Tensor trainableInput;
    private Tensor ones;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        float[] thresholds = new float[CHANNELS];
        for (int c = 0; c < CHANNELS; c++) {
            thresholds[c] = 0.5f + random.nextFloat();
        }
        weights = WeightsSymmetricInferableQuantizer.perChannel(8, thresholds, 0);
        activations = ActivationPOTInferableQuantizer.of(8, 4f, true);
        w = Tensor.randn(random, CHANNELS, CHANNEL_SIZE);
        act = Tensor.uniform(random, -6f, 6f, 4096, 4096);
        trainable = new ActivationQuantizationHolder(new STESymmetricActivationTrainableQuantizer(
                TrainableQuantizerActivationConfig.of(QuantizationMethod.POWER_OF_TWO, 8,
                        QuantizationParams.threshold(4f, true))));
        trainable.train();
        trainableInput = Tensor.uniform(random, -6f, 6f, 4096, 4096).requiresGrad(true);
        ones = Tensor.uniform(random, 1f, 1f, 4096, 4096);
    }

    /**
     * The trainable STE activation quantizer's forward and its fused backward on 16 Mi floats: reads x, writes y,
     * reads x and dy, writes dx (20 bytes per element).
     */
    @Benchmark
    public Tensor activationsForwardBackward() {
        trainableInput.zeroGrad();
        trainable.forward(trainableInput).backward(ones);
        return trainableInput.grad();
    }

    @Benchmark
    public Tensor weightsPerChannel() {
        return weights.quantize(w);
    }

    @Benchmark
    public Tensor activationsPerTensor() {
        return activations.quantize(act);
    }
}
