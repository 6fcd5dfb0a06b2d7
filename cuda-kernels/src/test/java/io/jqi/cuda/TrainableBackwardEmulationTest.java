package io.jqi.cuda;

/**
 * {@link TrainableBackwardCases} on the real quantizer kernels compiled for the host with g++
 * ({@link HostQuantKernels}). Runs where g++ is on the PATH; {@code -Djqi.kernelEmulation=false} skips it.
 */
class TrainableBackwardEmulationTest extends TrainableBackwardCases {

    @Override
    QuantKernels kernels() {
        HostKernels.assumeAvailable();
        return new HostQuantKernels(HostKernels.build("quant_kernels_on_host"));
    }

    /** Several blocks per channel in the per-tensor and the inner-axis cases, and about a minute for all cases. */
    @Override
    int scale() {
        return 4;
    }
}
