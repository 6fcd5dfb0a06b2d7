package io.jqi.tensor;

/**
 * Test support: routes a device to another implementation of its kernels (the CUDA kernels compiled for the host,
 * say) until closed, so that whole models can train on an emulated device where the real one is absent. Tensors
 * created meanwhile keep their storage but not their backend: use them only inside the scope. Not for concurrent
 * use: the routing is global, so tests that substitute must not run beside tests of the real device.
 */
public final class BackendSubstitution implements AutoCloseable {
    private final Device device;
    private final Backend previous;
    private boolean closed;

    private BackendSubstitution(Device device, Backend previous) {
        this.device = device;
        this.previous = previous;
    }

    /** Routes {@code backend.device()} to {@code backend} until {@link #close}. */
    public static BackendSubstitution install(Backend backend) {
        if (backend.device() == Device.CPU) {
            throw new IllegalArgumentException("the CPU backend is the reference; it cannot be substituted");
        }
        return new BackendSubstitution(backend.device(), Backends.replace(backend.device(), backend));
    }

    /** Restores the device's own backend (or none, where it had none). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Backends.replace(device, previous);
        }
    }
}
