package io.jqi.cuda;

import io.jqi.tensor.Backend;

/**
 * {@link BackendAgreementCases} on the backend's .cu kernels compiled for the host with g++ (src/test/emulation):
 * their logic checked without a GPU. Runs where g++ is on the PATH; {@code -Djqi.kernelEmulation=false} skips it.
 */
class KernelEmulationTest extends BackendAgreementCases {

    @Override
    void assumeAvailable() {
        HostKernels.assumeAvailable();
    }

    @Override
    Backend backend() {
        return new HostKernelBackend(HostKernels.build("kernels_on_host"));
    }

    @Override
    int scale() {
        return 16;
    }
}
