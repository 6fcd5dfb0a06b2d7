package io.jqi.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemsetD32;

import io.jqi.grid.ChannelLayout;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * The {@code quant_backward} kernel: the straight-through backward of affine fake quantization
 * ({@link io.jqi.tensor.Backend#fakeQuantAffineBackward}), fused. One launch reads x and dy, writes dx, and (when the
 * parameters train) reduces the step and offset gradients per channel in the same launch: no full-size temporaries,
 * no host round trip, no float atomics, the same bits on every run. dx is bit for bit the CPU's; the parameter
 * gradients agree with it within the rounding of a different summation order.
 *
 * <p>This object owns a small workspace (per-block partial sums and per-channel counters) that grows to the largest
 * launch seen; the kernel leaves the counters at zero, so launches on one stream may follow each other without any
 * reset. Launches from several host threads are serialised on this object (the workspace check and the launch are
 * one step), and on one stream the kernels run in launch order. Launches on different streams must not overlap in
 * time (they share the workspace): use one CudaQuantBackward per stream.
 */
public final class CudaQuantBackward implements AutoCloseable {
    static final String MODULE = "quant_backward";
    /** The kernel's block size (BLOCK in quant_backward.cu). */
    static final int BLOCK_SIZE = 256;
    /** Each block covers about this many elements of its channel. */
    private static final long ELEMENTS_PER_BLOCK = 8L * BLOCK_SIZE;
    /** Enough blocks to fill any current GPU several times over; more only lengthens the final reduction. */
    private static final int MAX_BLOCKS = 8192;
    /** Accumulators per block: the step's two terms, and with an offset the offset's two. */
    private static final int STEP_ACCUMULATORS = 2;
    private static final int OFFSET_ACCUMULATORS = 4;

    private final CudaModule module;
    private CUdeviceptr partials;
    private long partialFloats;
    private CUdeviceptr counters;
    private int counterCount;
    private boolean closed;

    private CudaQuantBackward(CudaModule module) {
        this.module = module;
    }

    /** Loads the kernel on CUDA device 0; an IllegalStateException with the probe's reason if CUDA is unavailable. */
    public static CudaQuantBackward open() {
        return new CudaQuantBackward(CudaModule.open(MODULE, "jqi_fake_quant_backward"));
    }

    /**
     * Blocks per channel for a layout: about {@value #ELEMENTS_PER_BLOCK} elements each, at most
     * {@value #MAX_BLOCKS} blocks in all (but at least one per channel). A function of the shape alone, so that the
     * summation order, and so the parameter gradients' bits, never depend on the device.
     */
    static int blocksPerChannel(ChannelLayout layout) {
        long perChannel = (long) layout.outer() * layout.inner();
        long wanted = Math.max(1, (perChannel + ELEMENTS_PER_BLOCK - 1) / ELEMENTS_PER_BLOCK);
        long cap = Math.max(1, MAX_BLOCKS / layout.channels());
        return (int) Math.min(wanted, cap);
    }

    // ---------------------------------------------------------------- device pointers

    /**
     * The backward of affine fake quantization on {@code steps} and {@code offsets} (null: the zero-offset grid) over
     * the integers {@code [qmin, qmax]}. {@code dSteps} (and, with offsets, {@code dOffsets}) receive the per-channel
     * parameter gradients, or are null when the parameters do not train (then only dx is written). {@code dx} may be
     * {@code dy}.
     */
    public synchronized void affine(CUdeviceptr x, CUdeviceptr dy, CUdeviceptr dx, CUdeviceptr steps, CUdeviceptr offsets,
            CUdeviceptr dSteps, CUdeviceptr dOffsets, float qmin, float qmax, boolean clipped, ChannelLayout layout,
            CUstream stream) {
        int n = KernelChecks.elements(layout);
        KernelChecks.requirePointer("x", x);
        KernelChecks.requirePointer("dy", dy);
        KernelChecks.requirePointer("dx", dx);
        KernelChecks.requirePointer("steps", steps);
        if (dSteps != null && offsets != null && dOffsets == null) {
            throw new IllegalArgumentException("dOffsets is required when the offsets train (dSteps given)");
        }
        if (n == 0) {
            return;
        }
        int blocks = blocksPerChannel(layout);
        module.makeCurrent("CudaQuantBackward");
        if (dSteps != null) {
            ensureWorkspace(layout.channels(), blocks, offsets == null ? STEP_ACCUMULATORS : OFFSET_ACCUMULATORS);
        }
        launch("jqi_fake_quant_backward", layout, blocks, stream, Pointer.to(x), Pointer.to(dy), Pointer.to(dx),
                Pointer.to(steps), Pointer.to(orNull(offsets)), Pointer.to(orNull(dSteps)),
                Pointer.to(orNull(dSteps == null ? null : dOffsets)), Pointer.to(orNull(partials)),
                Pointer.to(orNull(counters)), CudaFakeQuant.floatParam(qmin), CudaFakeQuant.floatParam(qmax),
                CudaFakeQuant.intParam(clipped ? 1 : 0), KernelLayout.param(layout), CudaFakeQuant.intParam(blocks));
    }

    // ---------------------------------------------------------------- host arrays

    /**
     * {@link #affine(CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr,
     * float, float, boolean, ChannelLayout, CUstream)} on arrays; {@code offsets} may be null. With
     * {@code parameterGradients} the result has dSteps (and dOffsets where there are offsets).
     */
    public FakeQuantGradients affine(float[] x, float[] dy, float[] steps, float[] offsets, float qmin, float qmax,
            boolean clipped, boolean parameterGradients, ChannelLayout layout) {
        KernelChecks.requireLayout(x, layout);
        KernelChecks.requireSameLength("dy", dy, x);
        KernelChecks.requireChannels("steps", steps, layout);
        if (offsets != null) {
            KernelChecks.requireChannels("offsets", offsets, layout);
        }
        try (DeviceMemory memory = memory()) {
            CUdeviceptr dx = memory.allocate(x.length);
            CUdeviceptr dSteps = parameterGradients ? memory.allocate(steps.length) : null;
            CUdeviceptr dOffsets = parameterGradients && offsets != null ? memory.allocate(steps.length) : null;
            affine(memory.copyIn(x), memory.copyIn(dy), dx, memory.copyIn(steps),
                    offsets == null ? null : memory.copyIn(offsets), dSteps, dOffsets, qmin, qmax, clipped, layout,
                    null);
            return new FakeQuantGradients(DeviceMemory.copyOut(dx, x.length),
                    dSteps == null ? null : DeviceMemory.copyOut(dSteps, steps.length),
                    dOffsets == null ? null : DeviceMemory.copyOut(dOffsets, steps.length));
        }
    }

    // ---------------------------------------------------------------- launching and workspace

    private DeviceMemory memory() {
        module.makeCurrent("CudaQuantBackward");
        return new DeviceMemory();
    }

    private void launch(String kernel, ChannelLayout layout, int blocksPerChannel, CUstream stream,
            Pointer... params) {
        int grid = layout.channels() * blocksPerChannel;
        cuLaunchKernel(module.function(kernel), grid, 1, 1, BLOCK_SIZE, 1, 1, 0, stream, Pointer.to(params), null);
    }

    /**
     * Grows the workspace to {@code channels * blocks * accumulators} partials and {@code channels} zeroed counters.
     * Freeing waits for the device, so growth happens only on a launch larger than every earlier one, never in a
     * training step's steady state.
     */
    private void ensureWorkspace(int channels, int blocks, int accumulators) {
        long floats = (long) channels * blocks * accumulators;
        if (floats > partialFloats) {
            free(partials);
            partials = new CUdeviceptr();
            cuMemAlloc(partials, floats * Sizeof.FLOAT);
            partialFloats = floats;
        }
        if (channels > counterCount) {
            free(counters);
            counters = new CUdeviceptr();
            cuMemAlloc(counters, (long) channels * Sizeof.INT);
            cuMemsetD32(counters, 0, channels);
            counterCount = channels;
        }
    }

    private static void free(CUdeviceptr pointer) {
        if (pointer != null) {
            cuMemFree(pointer);
        }
    }

    private static CUdeviceptr orNull(CUdeviceptr pointer) {
        return pointer == null ? new CUdeviceptr() : pointer;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            module.makeCurrent("CudaQuantBackward");
            free(partials);
            free(counters);
        } finally {
            partials = null;
            counters = null;
            module.close();
        }
    }
}
