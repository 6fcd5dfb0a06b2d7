package io.jqi.grid;

/**
 * Whether the CPU kernels written with JDK 17's incubating Vector API (the tensor package's GEMM kernel and the PTQ
 * search's error sums) run: the {@code jdk.incubator.vector} module is in the boot layer (the JVM was started with
 * {@code --add-modules jdk.incubator.vector}) and the system property {@code jqi.cpu.vector} is not {@code false}.
 * It lives in the leaf package because two layers above it, the tensor kernels and PTQ, read it. Those kernels give
 * the same bits as the scalar loops they replace; only speed depends on this (docs/performance.md#the-vector-api).
 */
public final class VectorApi {
    /** Whether the Vector API kernels run. */
    public static final boolean ENABLED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("jqi.cpu.vector"));

    private VectorApi() {
    }
}
