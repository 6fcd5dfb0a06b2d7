package io.jqi.bench;

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

/** {@link GemmBench}'s products with the pre-blocking kernel ({@link NaiveGemm}), for a same-run baseline. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector",
    "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class NaiveGemmBench {
    @Param({"256", "512", "1024"})
    public int n;

    private float[] a;
    private float[] b;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        a = new float[n * n];
        b = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = -1f + 2f * random.nextFloat();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = -1f + 2f * random.nextFloat();
        }
    }

    @Benchmark
    public float[] matmul() {
        return NaiveGemm.multiply(a, b, 1, n, n, n, false, false, n * n, n * n);
    }
}
