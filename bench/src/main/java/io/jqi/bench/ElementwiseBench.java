package io.jqi.bench;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The memory-bound reference: {@code copy} is {@link System#arraycopy} of a 64 MiB float array (16 Mi floats),
 * 128 MiB of traffic per operation (read + write); {@code add} is {@link Tensor#add} of two 16 Mi-float tensors,
 * 192 MiB per operation (two reads, one write; it also allocates its 64 MiB result). Everything else is reported
 * as a ratio to {@code copy} measured in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector",
    "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class ElementwiseBench {
    /** 16 Mi floats = 64 MiB. */
    public static final int N = 16 << 20;

    private float[] src;
    private float[] dst;
    private Tensor x;
    private Tensor y;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        src = new float[N];
        for (int i = 0; i < N; i++) {
            src[i] = random.nextFloat();
        }
        dst = new float[N];
        x = Tensor.wrap(src.clone(), Shape.of(4096, 4096));
        y = Tensor.uniform(random, -1f, 1f, 4096, 4096);
    }

    @Benchmark
    public float[] copy() {
        System.arraycopy(src, 0, dst, 0, N);
        return dst;
    }

    /** The same copy split in two halves over the common pool: the memory bandwidth of both cores. */
    @Benchmark
    public float[] copyTwoThreads() {
        IntStream.range(0, 2).parallel().forEach(h -> System.arraycopy(src, h * (N / 2), dst, h * (N / 2), N / 2));
        return dst;
    }

    @Benchmark
    public Tensor add() {
        return x.add(y);
    }
}
