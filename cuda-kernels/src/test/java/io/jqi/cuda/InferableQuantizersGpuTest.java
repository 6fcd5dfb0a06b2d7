package io.jqi.cuda;

import org.junit.jupiter.api.Tag;

/** {@link InferableQuantizerCases} on the GPU (skipped where CUDA cannot run). */
@Tag("gpu")
class InferableQuantizersGpuTest extends InferableQuantizerCases {

    @Override
    QuantKernels kernels() {
        return QuantKernels.cuda();
    }
}
