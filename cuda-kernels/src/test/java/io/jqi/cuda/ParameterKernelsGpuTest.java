package io.jqi.cuda;

import org.junit.jupiter.api.Tag;

/** {@link ParameterKernelCases} on the GPU (skipped where CUDA cannot run). */
@Tag("gpu")
class ParameterKernelsGpuTest extends ParameterKernelCases {

    @Override
    QuantKernels kernels() {
        return QuantKernels.cuda();
    }

    @Override
    int channels() {
        return 100_000;
    }
}
