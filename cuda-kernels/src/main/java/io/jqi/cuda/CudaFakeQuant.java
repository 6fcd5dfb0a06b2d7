package io.jqi.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.setExceptionsEnabled;

import io.jqi.quant.ChannelLayout;
import io.jqi.quant.LutGrid;
import java.util.ArrayList;
import java.util.List;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;

/**
 * The {@code fake_quant} kernels on host arrays: copy in, launch, copy out. Each method takes the parameters of
 * its CPU grid in {@code io.jqi.quant} and returns the same bits. Open it only where {@link CudaProbe#probe()} says
 * CUDA is available.
 */
public final class CudaFakeQuant implements AutoCloseable {
    private static final String MODULE = "fake_quant";
    private static final int BLOCK_SIZE = 256;
    // The kernels loop with a grid stride, so a capped grid still covers every element.
    private static final long MAX_BLOCKS = 65_535;

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final CUfunction affine = new CUfunction();
    private final CUfunction tfNudge = new CUfunction();
    private final CUfunction lut = new CUfunction();
    private boolean closed;

    private CudaFakeQuant(int ordinal) {
        setExceptionsEnabled(true);
        cuInit(0);
        cuDeviceGet(device, ordinal);
        cuDevicePrimaryCtxRetain(context, device);
        try {
            cuCtxSetCurrent(context);
            loadModule();
            try {
                cuModuleGetFunction(affine, module, "jqi_fake_quant_affine");
                cuModuleGetFunction(tfNudge, module, "jqi_fake_quant_tf_nudge");
                cuModuleGetFunction(lut, module, "jqi_fake_quant_lut");
            } catch (RuntimeException e) {
                cuModuleUnload(module);
                throw e;
            }
        } catch (RuntimeException e) {
            cuDevicePrimaryCtxRelease(device);
            throw e;
        }
    }

    /** Loads the kernels on CUDA device 0. */
    public static CudaFakeQuant open() {
        CudaAvailability cuda = CudaProbe.probe();
        if (!cuda.available()) {
            throw new IllegalStateException("CUDA is unavailable: " + cuda.reason());
        }
        return new CudaFakeQuant(0);
    }

    private void loadModule() {
        String ptx = PtxModules.source(MODULE);
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

    /** {@code AffineGrid.fakeQuant} per element: per-channel {@code steps} and {@code zeroPoints}. */
    public float[] affine(float[] x, float[] steps, float[] zeroPoints, float qmin, float qmax,
            ChannelLayout layout) {
        requireLayout(x, layout);
        requireChannels("steps", steps, layout);
        requireChannels("zeroPoints", zeroPoints, layout);
        if (x.length == 0) {
            return new float[0];
        }
        try (DeviceMemory memory = new DeviceMemory()) {
            CUdeviceptr in = memory.copyIn(x);
            CUdeviceptr out = memory.allocate(x.length);
            Pointer params = Pointer.to(Pointer.to(in), Pointer.to(out), Pointer.to(memory.copyIn(steps)),
                    Pointer.to(memory.copyIn(zeroPoints)), Pointer.to(new float[] {qmin}),
                    Pointer.to(new float[] {qmax}), layoutParam(layout.outer()), layoutParam(layout.channels()),
                    layoutParam(layout.inner()));
            return launch(affine, params, out, x.length);
        }
    }

    /** {@code TfNudgedGrid.fakeQuant} per element: per-channel nudged range and step. */
    public float[] tfNudge(float[] x, float[] nudgedMin, float[] nudgedMax, float[] steps, ChannelLayout layout) {
        requireLayout(x, layout);
        requireChannels("nudgedMin", nudgedMin, layout);
        requireChannels("nudgedMax", nudgedMax, layout);
        requireChannels("steps", steps, layout);
        if (x.length == 0) {
            return new float[0];
        }
        try (DeviceMemory memory = new DeviceMemory()) {
            CUdeviceptr in = memory.copyIn(x);
            CUdeviceptr out = memory.allocate(x.length);
            Pointer params = Pointer.to(Pointer.to(in), Pointer.to(out), Pointer.to(memory.copyIn(nudgedMin)),
                    Pointer.to(memory.copyIn(nudgedMax)), Pointer.to(memory.copyIn(steps)),
                    layoutParam(layout.outer()), layoutParam(layout.channels()), layoutParam(layout.inner()));
            return launch(tfNudge, params, out, x.length);
        }
    }

    /** {@code LutGrid.fakeQuant} per element, with the grid's own levels, thresholds, M, clip bounds and eps. */
    public float[] lut(float[] x, LutGrid grid, ChannelLayout layout) {
        requireLayout(x, layout);
        float[] thresholds = grid.thresholds();
        float[] levels = grid.levels();
        requireChannels("thresholds", thresholds, layout);
        if (x.length == 0) {
            return new float[0];
        }
        try (DeviceMemory memory = new DeviceMemory()) {
            CUdeviceptr in = memory.copyIn(x);
            CUdeviceptr out = memory.allocate(x.length);
            Pointer params = Pointer.to(Pointer.to(in), Pointer.to(out), Pointer.to(memory.copyIn(levels)),
                    Pointer.to(new int[] {levels.length}), Pointer.to(memory.copyIn(thresholds)),
                    Pointer.to(new float[] {grid.multiplier()}), Pointer.to(new float[] {grid.lo()}),
                    Pointer.to(new float[] {grid.hi()}), Pointer.to(new float[] {grid.eps()}),
                    layoutParam(layout.outer()), layoutParam(layout.channels()), layoutParam(layout.inner()));
            return launch(lut, params, out, x.length);
        }
    }

    private float[] launch(CUfunction kernel, Pointer params, CUdeviceptr out, int n) {
        float[] result = new float[n];
        int blocks = (int) Math.min((n + (long) BLOCK_SIZE - 1) / BLOCK_SIZE, MAX_BLOCKS);
        cuLaunchKernel(kernel, blocks, 1, 1, BLOCK_SIZE, 1, 1, 0, null, params, null);
        cuCtxSynchronize();
        cuMemcpyDtoH(Pointer.to(result), out, (long) n * Sizeof.FLOAT);
        return result;
    }

    private static Pointer layoutParam(int value) {
        return Pointer.to(new int[] {value});
    }

    private static void requireLayout(float[] x, ChannelLayout layout) {
        if (layout.outer() < 0 || layout.channels() < 0 || layout.inner() < 0) {
            throw new IllegalArgumentException("layout " + layout + " has a negative extent; use the extents of x's "
                    + "shape around its channel axis");
        }
        long elements = elements(layout);
        if (elements != x.length) {
            throw new IllegalArgumentException("layout " + layout + " describes "
                    + (elements == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(elements))
                    + " elements but x has " + x.length + "; pass the layout of x's own shape");
        }
    }

    /** The layout's element count; Long.MAX_VALUE where it overflows, so that it never matches an array. */
    private static long elements(ChannelLayout layout) {
        try {
            return Math.multiplyExact((long) layout.outer() * layout.channels(), layout.inner());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static void requireChannels(String name, float[] values, ChannelLayout layout) {
        if (values.length != layout.channels()) {
            throw new IllegalArgumentException(name + " has " + values.length + " values but the layout has "
                    + layout.channels() + " channels; pass one value per channel (one for per-tensor)");
        }
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

    /**
     * The device allocations of one call (all non-empty: an empty x returns before any), made in this thread's
     * current context and all freed on close.
     */
    private final class DeviceMemory implements AutoCloseable {
        private final List<CUdeviceptr> allocations = new ArrayList<>();

        DeviceMemory() {
            if (closed) {
                throw new IllegalStateException("this CudaFakeQuant is closed; open a new one");
            }
            // The driver's current context is per thread; the caller's thread may not have ours yet.
            cuCtxSetCurrent(context);
        }

        CUdeviceptr allocate(int floats) {
            CUdeviceptr pointer = new CUdeviceptr();
            cuMemAlloc(pointer, (long) floats * Sizeof.FLOAT);
            allocations.add(pointer);
            return pointer;
        }

        CUdeviceptr copyIn(float[] host) {
            CUdeviceptr pointer = allocate(host.length);
            cuMemcpyHtoD(pointer, Pointer.to(host), (long) host.length * Sizeof.FLOAT);
            return pointer;
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
}
