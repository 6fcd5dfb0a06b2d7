package io.jqi.bench;

import io.jqi.tensor.Functional;
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
 * One 3x3 convolution layer, stride 1, padding 1: {@code [32, 16, 32, 32] -> [32, 32, 32, 32]}. {@link #conv2d} is
 * the forward (im2col + GEMM), {@link #FLOPS} floating-point operations; {@link #conv2dTraining} the forward and
 * the backward to the input and the weights, three times as many.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector",
    "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class ConvBench {
    static final int BATCH = 32;
    static final int IN = 16;
    static final int OUT = 32;
    static final int SIZE = 32;
    static final double FLOPS = 2.0 * BATCH * OUT * SIZE * SIZE * IN * 9;

    private Tensor x;
    private Tensor weight;
    private Tensor bias;
    private Tensor trainedX;
    private Tensor trainedWeight;
    private Tensor outputGradient;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        x = Tensor.uniform(random, -1f, 1f, BATCH, IN, SIZE, SIZE);
        weight = Tensor.uniform(random, -0.1f, 0.1f, OUT, IN, 3, 3);
        bias = Tensor.uniform(random, -0.1f, 0.1f, OUT);
        trainedX = Tensor.uniform(random, -1f, 1f, BATCH, IN, SIZE, SIZE).requiresGrad(true);
        trainedWeight = Tensor.uniform(random, -0.1f, 0.1f, OUT, IN, 3, 3).requiresGrad(true);
        outputGradient = Tensor.uniform(random, -1f, 1f, BATCH, OUT, SIZE, SIZE);
    }

    @Benchmark
    public Tensor conv2d() {
        return Functional.conv2d(x, weight, bias, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
    }

    @Benchmark
    public Tensor conv2dTraining() {
        trainedX.zeroGrad();
        trainedWeight.zeroGrad();
        Functional.conv2d(trainedX, trainedWeight, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1)
                .backward(outputGradient);
        return trainedWeight.grad();
    }
}
