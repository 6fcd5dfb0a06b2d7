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
 * Square single-precision products {@code [n, n] @ [n, n]} through {@link Tensor#matmul} (the CPU backend's
 * GEMM, on the common fork-join pool). One operation is {@code 2 n^3} floating-point operations;
 * {@link Summary} turns ops/s into GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector",
    "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class GemmBench {
    @Param({"256", "512", "1024"})
    public int n;

    private Tensor a;
    private Tensor b;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        a = Tensor.uniform(random, -1f, 1f, n, n);
        b = Tensor.uniform(random, -1f, 1f, n, n);
    }

    @Benchmark
    public Tensor matmul() {
        return a.matmul(b);
    }
}
