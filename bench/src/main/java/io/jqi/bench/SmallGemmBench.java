package io.jqi.bench;

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
 * Batched small products {@code [batch, m, k] @ [batch, k, n]}, the shape of convolutions lowered with im2col
 * (for example {@code 64x72x64}: 64 output positions, a 3x3 kernel over 8 channels, 64 filters). Shapes are
 * {@code batch x m x k x n}; one operation is {@code 2 batch m k n} floating-point operations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector",
    "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class SmallGemmBench {
    @Param({"256x64x72x64", "4096x8x8x8", "64x196x288x32"})
    public String shape;

    private Tensor a;
    private Tensor b;

    @Setup
    public void setUp() {
        int[] d = dims(shape);
        Random random = new Random(42);
        a = Tensor.uniform(random, -1f, 1f, d[0], d[1], d[2]);
        b = Tensor.uniform(random, -1f, 1f, d[0], d[2], d[3]);
    }

    static int[] dims(String shape) {
        String[] parts = shape.split("x");
        int[] d = new int[parts.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Integer.parseInt(parts[i]);
        }
        return d;
    }

    @Benchmark
    public Tensor matmul() {
        return a.matmul(b);
    }
}
