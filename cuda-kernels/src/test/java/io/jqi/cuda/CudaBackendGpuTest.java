package io.jqi.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqi.tensor.Backend;
import org.junit.jupiter.api.Tag;

/** Every Backend method of {@link CudaBackend} against CpuBackend, on the GPU (skipped where CUDA cannot run). */
@Tag("gpu")
class CudaBackendGpuTest extends BackendAgreementCases {

    @Override
    void assumeAvailable() {
        CudaAvailability cuda = CudaProbe.probe();
        assumeTrue(cuda.available(), () -> "CUDA is unavailable: " + cuda.reason());
    }

    @Override
    Backend backend() {
        return new CudaBackend();
    }
}
