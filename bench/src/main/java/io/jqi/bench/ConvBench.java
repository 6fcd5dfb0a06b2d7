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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One 3x3 convolution layer, stride 1, padding 1, {@code layer} = "batch x inChannels x outChannels x size":
 * {@code [batch, in, size, size] -> [batch, out, size, size]}. The first is a small layer; the others are ResNet-18's
 * stride-1 layers at batch 64 (bench/compare's model), whose PyTorch times bench/compare/torch_layers.py gives.
 * {@link #conv2d} is the forward, {@link #flops} floating-point operations; {@link #conv2dTraining} the forward and
 * the backward to the input and the weights, three times as many.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector",
    "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class ConvBench {
    @Param({"32x16x32x32", "64x64x64x28", "64x128x128x14", "64x256x256x7", "64x512x512x4"})
    public String layer;

    private Tensor x;
    private Tensor weight;
    private Tensor bias;
    private Tensor trainedX;
    private Tensor trainedWeight;
    private Tensor outputGradient;

    /** The forward's floating-point operations: two per multiply-add. */
    static double flops(String layer) {
        int[] d = SmallGemmBench.dims(layer);
        return 2.0 * d[0] * d[2] * d[3] * d[3] * d[1] * 9;
    }

    @Setup
    public void setUp() {
        int[] d = SmallGemmBench.dims(layer);
        int batch = d[0];
        int in = d[1];
        int out = d[2];
        int size = d[3];
        Random random = new Random(42);
        x = Tensor.uniform(random, -1f, 1f, batch, in, size, size);
        weight = Tensor.uniform(random, -0.1f, 0.1f, out, in, 3, 3);
        bias = Tensor.uniform(random, -0.1f, 0.1f, out);
        trainedX = Tensor.uniform(random, -1f, 1f, batch, in, size, size).requiresGrad(true);
        trainedWeight = Tensor.uniform(random, -0.1f, 0.1f, out, in, 3, 3).requiresGrad(true);
        outputGradient = Tensor.uniform(random, -1f, 1f, batch, out, size, size);
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
