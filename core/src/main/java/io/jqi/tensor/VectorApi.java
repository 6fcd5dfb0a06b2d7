package io.jqi.tensor;

/**
 * Whether the CPU's kernels written with JDK 17's incubating Vector API ({@link VectorGemmKernel},
 * {@link VectorMaxPool}, {@link VectorRelu}, {@link VectorAdd}) run: the {@code jdk.incubator.vector} module is in
 * the boot layer (the JVM was started with {@code --add-modules jdk.incubator.vector}) and the system property
 * {@code jqi.cpu.vector} is not {@code false}.
 * They give the same bits as the scalar loops they replace; only speed depends on this
 * (docs/performance.md#the-vector-api).
 */
final class VectorApi {
    static final boolean ENABLED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("jqi.cpu.vector"));

    private VectorApi() {
    }
}
