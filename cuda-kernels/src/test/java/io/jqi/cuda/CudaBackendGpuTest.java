package io.jqi.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqi.tensor.Backend;
import org.junit.jupiter.api.Tag;

/**
 * Every Backend method of {@link CudaBackend} against CpuBackend, on the GPU (skipped where CUDA cannot run). GEMM is
 * jqi's kernel here; cuBLAS is compared with it within a tolerance in {@link CublasGemmGpuTest}.
 */
@Tag("gpu")
class CudaBackendGpuTest extends BackendAgreementCases {

    @Override
    void assumeAvailable() {
        CudaAvailability cuda = CudaProbe.probe();
        assumeTrue(cuda.available(), () -> "CUDA is unavailable: " + cuda.reason());
    }

    /** jqi's own GEMM, whatever -Djqi.cuda.gemm says: only it promises the CPU's bits for matmul. */
    @Override
    Backend backend() {
        return new CudaBackend(GemmMode.JQI);
    }
}
