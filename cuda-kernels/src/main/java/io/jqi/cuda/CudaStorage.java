package io.jqi.cuda;

import io.jqi.tensor.Backend;
import io.jqi.tensor.Storage;
import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;

/**
 * Float32 values in CUDA device memory: a block of {@link CudaAllocator} and the number of floats in use. When the
 * storage becomes unreachable a {@link Cleaner} returns the block to the allocator's cache (never to the driver),
 * so the cleaner thread makes no CUDA call.
 */
final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaContext context;
    private final Backend backend;
    private final CUdeviceptr pointer;
    private final int size;

    CudaStorage(CudaContext context, Backend backend, int size) {
        this.context = context;
        this.backend = backend;
        this.size = size;
        if (size == 0) {
            // Nothing to hold: a null pointer that no kernel is ever launched on.
            this.pointer = new CUdeviceptr();
            return;
        }
        CudaAllocator allocator = context.allocator();
        CudaAllocator.Block block = allocator.allocate((long) size * Float.BYTES);
        this.pointer = block.pointer();
        // The action must not capture this storage, or it would never become unreachable.
        CLEANER.register(this, () -> allocator.release(block));
    }

    CUdeviceptr pointer() {
        return pointer;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public float[] toHostArray() {
        return context.toHost(this);
    }
}
