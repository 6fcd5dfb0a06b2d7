package io.jqi.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.setExceptionsEnabled;

import java.util.HashMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;

/**
 * One bundled PTX module loaded into the primary context of a CUDA device, with its kernels looked up by name. The
 * primary context is the one the CUDA runtime and other libraries share, so device pointers made by any of them work
 * with these kernels.
 */
final class CudaModule implements AutoCloseable {
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final String name;
    private boolean closed;

    /** Loads module {@code name} on device {@code ordinal} and looks up every kernel in {@code kernels}. */
    CudaModule(String name, int ordinal, String... kernels) {
        this.name = name;
        setExceptionsEnabled(true);
        cuInit(0);
        cuDeviceGet(device, ordinal);
        cuDevicePrimaryCtxRetain(context, device);
        try {
            cuCtxSetCurrent(context);
            load(PtxModules.source(name));
            try {
                for (String kernel : kernels) {
                    CUfunction function = new CUfunction();
                    cuModuleGetFunction(function, module, kernel);
                    functions.put(kernel, function);
                }
            } catch (RuntimeException e) {
                cuModuleUnload(module);
                throw e;
            }
        } catch (RuntimeException e) {
            cuDevicePrimaryCtxRelease(device);
            throw e;
        }
    }

    /** Opens module {@code name} on device 0, or explains why CUDA is unavailable. */
    static CudaModule open(String name, String... kernels) {
        CudaAvailability cuda = CudaProbe.probe();
        if (!cuda.available()) {
            throw new IllegalStateException("CUDA is unavailable: " + cuda.reason());
        }
        return new CudaModule(name, 0, kernels);
    }

    private void load(String ptx) {
        try {
            cuModuleLoadData(module, ptx);
        } catch (CudaException e) {
            if (CUresult.stringFor(CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION).equals(e.getMessage())) {
                throw new IllegalStateException("the CUDA driver is older than the nvcc that compiled jqi's PTX; "
                        + "update the NVIDIA driver, or rebuild jqi with an nvcc no newer than the driver's CUDA "
                        + "version", e);
            }
            throw e;
        }
    }

    CUfunction function(String kernel) {
        CUfunction function = functions.get(kernel);
        if (function == null) {
            throw new IllegalArgumentException("kernel " + kernel + " was not looked up in module " + name);
        }
        return function;
    }

    /**
     * Makes this module's context current on the calling thread (the driver's current context is per thread), or
     * fails if the module is closed.
     */
    void makeCurrent(String owner) {
        if (closed) {
            throw new IllegalStateException("this " + owner + " is closed; open a new one");
        }
        cuCtxSetCurrent(context);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            cuCtxSetCurrent(context);
            cuModuleUnload(module);
        } finally {
            cuDevicePrimaryCtxRelease(device);
        }
    }
}
