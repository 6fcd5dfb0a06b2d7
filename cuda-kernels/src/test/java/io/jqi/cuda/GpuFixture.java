package io.jqi.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernels opened once per test JVM for the GPU tests, which skip with the probe's reason where CUDA is
 * unavailable. The driver releases everything at JVM exit.
 */
final class GpuFixture {
    private static CudaFakeQuant fakeQuant;
    private static CudaQuantBackward backward;

    private GpuFixture() {
    }

    static void requireCuda() {
        CudaAvailability cuda = CudaProbe.probe();
        assumeTrue(cuda.available(), () -> "CUDA is unavailable: " + cuda.reason());
    }

    static synchronized CudaFakeQuant fakeQuant() {
        requireCuda();
        if (fakeQuant == null) {
            fakeQuant = CudaFakeQuant.open();
        }
        return fakeQuant;
    }

    static synchronized CudaQuantBackward backward() {
        requireCuda();
        if (backward == null) {
            backward = CudaQuantBackward.open();
        }
        return backward;
    }
}
