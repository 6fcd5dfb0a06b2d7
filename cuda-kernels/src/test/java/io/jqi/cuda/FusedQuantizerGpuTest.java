package io.jqi.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqi.tensor.Backend;
import org.junit.jupiter.api.Tag;

/** {@link FusedQuantizerCases} on {@link CudaBackend} (skipped where CUDA cannot run). */
@Tag("gpu")
class FusedQuantizerGpuTest extends FusedQuantizerCases {

    @Override
    Backend backend() {
        CudaAvailability cuda = CudaProbe.probe();
        assumeTrue(cuda.available(), () -> "CUDA is unavailable: " + cuda.reason());
        return new CudaBackend();
    }

    /** Several blocks per channel in every case. */
    @Override
    int scale() {
        return 16;
    }
}
