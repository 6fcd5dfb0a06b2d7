package io.jqi.cuda;

/**
 * {@link ParameterKernelCases} on the real quantizer kernels compiled for the host with g++
 * ({@link HostQuantKernels}). Runs where g++ is on the PATH; {@code -Djqi.kernelEmulation=false} skips it.
 */
class ParameterKernelsEmulationTest extends ParameterKernelCases {

    @Override
    QuantKernels kernels() {
        HostKernels.assumeAvailable();
        return new HostQuantKernels(HostKernels.build("quant_kernels_on_host"));
    }

    @Override
    int channels() {
        return 20_000;
    }
}
