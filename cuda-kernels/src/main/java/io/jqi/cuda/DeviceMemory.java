package io.jqi.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

/**
 * The device allocations of one host-array call, made in the current context and all freed on close. Only the
 * host-array convenience methods use it; the device-pointer entry points allocate nothing.
 */
final class DeviceMemory implements AutoCloseable {
    private final List<CUdeviceptr> allocations = new ArrayList<>();

    /** {@code floats} uninitialised floats (at least one, so that an empty array still has an address). */
    CUdeviceptr allocate(int floats) {
        CUdeviceptr pointer = new CUdeviceptr();
        cuMemAlloc(pointer, (long) Math.max(floats, 1) * Sizeof.FLOAT);
        allocations.add(pointer);
        return pointer;
    }

    CUdeviceptr copyIn(float[] host) {
        CUdeviceptr pointer = allocate(host.length);
        if (host.length > 0) {
            cuMemcpyHtoD(pointer, Pointer.to(host), (long) host.length * Sizeof.FLOAT);
        }
        return pointer;
    }

    /** Copies {@code floats} floats back; the driver's synchronous copy waits for the kernels before it. */
    static float[] copyOut(CUdeviceptr pointer, int floats) {
        float[] host = new float[floats];
        if (floats > 0) {
            cuMemcpyDtoH(Pointer.to(host), pointer, (long) floats * Sizeof.FLOAT);
        }
        return host;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (CUdeviceptr pointer : allocations) {
            try {
                cuMemFree(pointer);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
