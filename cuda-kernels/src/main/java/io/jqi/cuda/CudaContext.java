package io.jqi.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.setExceptionsEnabled;

import io.jqi.tensor.Backend;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;

/**
 * The one CUDA context of the backend: device 0's primary context, the backend's PTX modules, the caching allocator,
 * and the launch and copy helpers. Everything runs on the context's default (legacy) stream, so kernels execute in
 * issue order and host copies wait for the kernels before them: the only synchronisation a training step needs is
 * the copy that reads a result to the host.
 *
 * <p>Created on first use by {@link #get()}, after {@link CudaProbe} says CUDA is available; loading this class
 * does not touch native code.
 */
final class CudaContext {
    /**
     * The PTX modules the backend launches (one .cu file each). fake_quant is {@link CudaFakeQuant}'s module; the
     * backend loads it too for {@code jqi_uniform_grid}, so the uniform trainable quantizers' grid has one kernel.
     */
    static final List<String> MODULES = List.of("map", "zip", "sum_to", "max_last_axis", "gemm", "permute",
            "copy_rows", "axpy", "im2col", "col2im", "max_pool", "avg_pool", CudaFakeQuant.MODULE);
    static final int BLOCK = 256;
    // Kernels loop with a grid stride, so capping the grid only bounds the launch size.
    private static final long MAX_BLOCKS = 1 << 20;

    private static CudaContext instance;

    private final CUcontext context = new CUcontext();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final CudaAllocator allocator = new CudaAllocator();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    /** Null until cuBLAS is first asked for; then whether it runs in this context, and why not. */
    private CublasAvailability cublasState;
    private CublasGemm cublas;
    /** The fused quantizer kernels, loaded on the first trainable quantizer that runs here. */
    private CudaFakeQuant fakeQuant;
    /** Their backward, with its workspace: one per context, as every launch is on the context's one stream. */
    private CudaQuantBackward quantBackward;

    private CudaContext() {
        setExceptionsEnabled(true);
        cuInit(0);
        CUdevice device = new CUdevice();
        cuDeviceGet(device, 0);
        cuDevicePrimaryCtxRetain(context, device);
        makeCurrent();
        for (String name : MODULES) {
            CUmodule module = new CUmodule();
            try {
                cuModuleLoadData(module, PtxModules.source(name));
            } catch (CudaException e) {
                if (CUresult.stringFor(CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION).equals(e.getMessage())) {
                    throw new IllegalStateException("the CUDA driver is older than the nvcc that compiled jqi's PTX "
                            + "(module " + name + "); update the NVIDIA driver or rebuild jqi with an older nvcc", e);
                }
                throw e;
            }
            for (String kernel : CudaKernelNames.of(name)) {
                CUfunction f = new CUfunction();
                cuModuleGetFunction(f, module, kernel);
                functions.put(kernel, f);
            }
        }
    }

    /** The context, created on the first call; an {@link IllegalStateException} with the probe's reason without CUDA. */
    static synchronized CudaContext get() {
        if (instance == null) {
            CudaAvailability cuda = CudaProbe.probe();
            if (!cuda.available()) {
                throw new IllegalStateException("The CUDA backend cannot run: " + cuda.reason());
            }
            instance = new CudaContext();
        }
        instance.makeCurrent();
        return instance;
    }

    private void makeCurrent() {
        if (!current.get()) {
            cuCtxSetCurrent(context);
            current.set(true);
        }
    }

    /**
     * Whether cuBLAS can run in this context, decided once: {@link CublasProbe} loads the library, then a handle is
     * created here (which can still fail, for example when the driver is older than the cuBLAS library). Never
     * throws for a missing or unusable cuBLAS; the reason comes back instead.
     */
    synchronized CublasAvailability cublasAvailability() {
        if (cublasState == null) {
            CublasAvailability library = CublasProbe.probe();
            if (library.available()) {
                try {
                    cublas = new CublasGemm();
                } catch (CudaException e) {
                    library = CublasAvailability.unavailable(library.reason() + ", but no cuBLAS handle could be "
                            + "created in jqi's CUDA context: " + e.getMessage());
                }
            }
            cublasState = library;
        }
        return cublasState;
    }

    /** cuBLAS bound to this context; only after {@link #cublasAvailability()} said it is available. */
    synchronized CublasGemm cublas() {
        if (cublas == null) {
            throw new IllegalStateException("cuBLAS is not available in this context: "
                    + cublasAvailability().reason());
        }
        return cublas;
    }

    /** {@link CudaFakeQuant} in this context (device 0's primary context, which its module loads into too). */
    synchronized CudaFakeQuant fakeQuant() {
        if (fakeQuant == null) {
            fakeQuant = CudaFakeQuant.open();
            makeCurrentAgain();
        }
        return fakeQuant;
    }

    /** {@link CudaQuantBackward} in this context; its workspace is reused by every training step. */
    synchronized CudaQuantBackward quantBackward() {
        if (quantBackward == null) {
            quantBackward = CudaQuantBackward.open();
            makeCurrentAgain();
        }
        return quantBackward;
    }

    /** A module's load sets the (same) context current itself; set it again so this thread's record stays true. */
    private void makeCurrentAgain() {
        cuCtxSetCurrent(context);
        current.set(true);
    }

    CudaAllocator allocator() {
        return allocator;
    }

    /** Launches {@code kernel} over {@code n} elements with a 1-D grid-stride grid. */
    void launch1d(String kernel, long n, Pointer... params) {
        if (n == 0) {
            return;
        }
        long blocks = Math.min((n + BLOCK - 1) / BLOCK, MAX_BLOCKS);
        launch(kernel, (int) blocks, 1, 1, BLOCK, params);
    }

    void launch(String kernel, int gridX, int gridY, int gridZ, int block, Pointer... params) {
        CUfunction f = functions.get(kernel);
        if (f == null) {
            throw new IllegalArgumentException("no CUDA kernel named " + kernel);
        }
        cuLaunchKernel(f, gridX, gridY, gridZ, block, 1, 1, 0, null, Pointer.to(params), null);
    }

    /** A storage of {@code size} floats that {@code owner} made: its tensors' operations run on {@code owner}. */
    CudaStorage allocate(Backend owner, int size) {
        return new CudaStorage(this, owner, size);
    }

    CudaStorage fromHost(Backend owner, float[] values) {
        CudaStorage s = allocate(owner, values.length);
        if (values.length > 0) {
            cuMemcpyHtoD(s.pointer(), Pointer.to(values), (long) values.length * Float.BYTES);
        }
        return s;
    }

    /** A zero-filled storage; a memset is queued on the stream, with no wait for the host. */
    CudaStorage zeros(Backend owner, int size) {
        CudaStorage s = allocate(owner, size);
        if (size > 0) {
            cuMemsetD32(s.pointer(), 0, size);
        }
        return s;
    }

    /** Copies to the host; waits for the kernels queued before it (the default stream orders them). */
    float[] toHost(CudaStorage s) {
        makeCurrent();
        float[] out = new float[s.size()];
        if (out.length > 0) {
            cuMemcpyDtoH(Pointer.to(out), s.pointer(), (long) out.length * Float.BYTES);
        }
        return out;
    }

    void toHost(CUdeviceptr source, int[] target) {
        makeCurrent();
        if (target.length > 0) {
            cuMemcpyDtoH(Pointer.to(target), source, (long) target.length * Integer.BYTES);
        }
    }

    void fromHost(int[] source, CUdeviceptr target) {
        if (source.length > 0) {
            cuMemcpyHtoD(target, Pointer.to(source), (long) source.length * Integer.BYTES);
        }
    }

    void copy(CUdeviceptr source, CUdeviceptr target, long floats) {
        if (floats > 0) {
            cuMemcpyDtoD(target, source, floats * Float.BYTES);
        }
    }

    /** Waits for every queued kernel (benchmarks and tests; a training step never needs it). */
    void synchronize() {
        cuCtxSynchronize();
    }
}
