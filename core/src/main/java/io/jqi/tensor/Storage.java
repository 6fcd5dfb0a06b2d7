package io.jqi.tensor;

/**
 * The memory behind a tensor: a flat run of float32 values, and the backend that made it and runs every operation on
 * it. The tensor facade owns the shape; a device backend plugs in by implementing this interface and {@link Backend}.
 * Because the storage names its backend, no global table decides where a tensor's operations run: a test or an
 * application can hand tensors to a backend of its own (an emulated device, say) without touching shared state.
 */
public interface Storage {
    /** The backend whose kernels operate on this storage. */
    Backend backend();

    /** Where the values live: the backend's device. */
    default Device device() {
        return backend().device();
    }

    int size();

    /** Copies the values to a new host array (a device-to-host transfer for device storage). */
    float[] toHostArray();
}
