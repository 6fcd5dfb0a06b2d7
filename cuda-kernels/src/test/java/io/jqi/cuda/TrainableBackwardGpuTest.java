package io.jqi.cuda;

import org.junit.jupiter.api.Tag;

/** {@link TrainableBackwardCases} on the GPU (skipped where CUDA cannot run). */
@Tag("gpu")
class TrainableBackwardGpuTest extends TrainableBackwardCases {

    @Override
    QuantKernels kernels() {
        return QuantKernels.cuda();
    }

    /** Large enough for several blocks per channel in every case, and dozens per tensor. */
    @Override
    int scale() {
        return 64;
    }
}
