package io.jqi.cuda;

/**
 * {@link InferableQuantizerCases} on the real quantizer kernels compiled for the host with g++
 * ({@link HostQuantKernels}). Runs where g++ is on the PATH; {@code -Djqi.kernelEmulation=false} skips it.
 */
class InferableQuantizersEmulationTest extends InferableQuantizerCases {

    @Override
    QuantKernels kernels() {
        HostKernels.assumeAvailable();
        return new HostQuantKernels(HostKernels.build("quant_kernels_on_host"));
    }
}
