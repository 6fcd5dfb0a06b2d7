package io.jqi.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemsetD32;

import io.jqi.quant.ChannelLayout;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * The {@code quant_backward} kernels: the backward of the STE and LSQ trainable quantizers, fused. One launch reads
 * x and dy, writes dx, and (for a quantizer that trains its parameters) reduces the threshold or min/max gradients
 * per channel in the same launch: no full-size temporaries, no host round trip, no float atomics, the same bits on
 * every run. dx is bit for bit the CPU autograd's; the parameter gradients agree with it within the rounding of a
 * different summation order.
 *
 * <p>The forward of these quantizers is {@link CudaFakeQuant#affine} on the grid of
 * {@link CudaFakeQuant#symmetricSteps} or {@link CudaFakeQuant#uniformGrid}. This object owns a small workspace
 * (per-block partial sums and per-channel counters) that grows to the largest launch seen; the kernels leave the
 * counters at zero, so launches on one stream may follow each other without any reset. Launches on different
 * streams must not overlap in time (they share the workspace): use one CudaQuantBackward per stream.
 */
public final class CudaQuantBackward implements AutoCloseable {
    static final String MODULE = "quant_backward";
    /** The kernels' block size (BLOCK in quant_backward.cu). */
    static final int BLOCK_SIZE = 256;
    /** Each block covers about this many elements of its channel. */
    private static final long ELEMENTS_PER_BLOCK = 8L * BLOCK_SIZE;
    /** Enough blocks to fill any current GPU several times over; more only lengthens the final reduction. */
    private static final int MAX_BLOCKS = 8192;
    private static final int SYMMETRIC_ACCUMULATORS = 2;
    private static final int UNIFORM_ACCUMULATORS = 4;

    private final CudaModule module;
    private CUdeviceptr partials;
    private long partialFloats;
    private CUdeviceptr counters;
    private int counterCount;
    private boolean closed;

    private CudaQuantBackward(CudaModule module) {
        this.module = module;
    }

    /** Loads the kernels on CUDA device 0; an IllegalStateException with the probe's reason if CUDA is unavailable. */
    public static CudaQuantBackward open() {
        return new CudaQuantBackward(CudaModule.open(MODULE, "jqi_symmetric_backward", "jqi_uniform_backward"));
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
     * Backward of a symmetric or power-of-two trainable quantizer. {@code steps} are its forward's steps
     * ({@link CudaFakeQuant#symmetricSteps}); {@code dThresholds} receives the threshold gradients (one per
     * channel), or is null for a quantizer whose threshold is not trained (then only dx is written).
     * {@code dx} may be {@code dy}.
     */
    public void symmetric(CUdeviceptr x, CUdeviceptr dy, CUdeviceptr dx, CUdeviceptr steps, CUdeviceptr dThresholds,
            int bits, boolean signed, GradientRule rule, ChannelLayout layout, CUstream stream) {
        int n = KernelChecks.elements(layout);
        requireTensors(x, dy, dx);
        KernelChecks.requirePointer("steps", steps);
        KernelChecks.requireBits(bits);
        requireRule(rule);
        if (n == 0) {
            return;
        }
        float levels = (float) (1L << (signed ? bits - 1 : bits));
        float qmin = signed ? -levels : 0f;
        float qmax = levels - 1f;
        int blocks = blocksPerChannel(layout);
        module.makeCurrent("CudaQuantBackward");
        if (dThresholds != null) {
            ensureWorkspace(layout.channels(), blocks, SYMMETRIC_ACCUMULATORS);
        }
        launch("jqi_symmetric_backward", layout, blocks, stream, Pointer.to(x), Pointer.to(dy), Pointer.to(dx),
                Pointer.to(steps), Pointer.to(orNull(dThresholds)), Pointer.to(orNull(partials)),
                Pointer.to(orNull(counters)), CudaFakeQuant.floatParam(levels), CudaFakeQuant.floatParam(qmin),
                CudaFakeQuant.floatParam(qmax), CudaFakeQuant.intParam(rule.clipped() ? 1 : 0),
                CudaFakeQuant.intParam(rule.scaled() ? 1 : 0), CudaFakeQuant.floatParam(rule.scale()),
                KernelLayout.param(layout), CudaFakeQuant.intParam(blocks));
    }

    /**
     * Backward of a uniform trainable quantizer with per-channel ranges {@code mins}/{@code maxs} (the raw
     * variables, as the CPU surrogate differentiates its own range adjustment). {@code dMin} and {@code dMax} receive
     * the range gradients, or are both null for a quantizer whose range is not trained.
     */
    public void uniform(CUdeviceptr x, CUdeviceptr dy, CUdeviceptr dx, CUdeviceptr mins, CUdeviceptr maxs,
            CUdeviceptr dMin, CUdeviceptr dMax, int bits, GradientRule rule, ChannelLayout layout, CUstream stream) {
        int n = KernelChecks.elements(layout);
        requireTensors(x, dy, dx);
        KernelChecks.requirePointer("mins", mins);
        KernelChecks.requirePointer("maxs", maxs);
        if ((dMin == null) != (dMax == null)) {
            throw new IllegalArgumentException("dMin and dMax are both given (the range trains) or both null "
                    + "(it does not); got only " + (dMin == null ? "dMax" : "dMin"));
        }
        KernelChecks.requireBits(bits);
        requireRule(rule);
        if (n == 0) {
            return;
        }
        int blocks = blocksPerChannel(layout);
        module.makeCurrent("CudaQuantBackward");
        if (dMin != null) {
            ensureWorkspace(layout.channels(), blocks, UNIFORM_ACCUMULATORS);
        }
        // UniformGrids.surrogate always scales the step's gradient, by 1 for STE.
        launch("jqi_uniform_backward", layout, blocks, stream, Pointer.to(x), Pointer.to(dy), Pointer.to(dx),
                Pointer.to(mins), Pointer.to(maxs), Pointer.to(orNull(dMin)), Pointer.to(orNull(dMax)),
                Pointer.to(orNull(partials)), Pointer.to(orNull(counters)),
                CudaFakeQuant.floatParam((float) ((1L << bits) - 1)), CudaFakeQuant.intParam(rule.clipped() ? 1 : 0),
                CudaFakeQuant.intParam(1), CudaFakeQuant.floatParam(rule.scale()),
                KernelLayout.param(layout), CudaFakeQuant.intParam(blocks));
    }

    // ---------------------------------------------------------------- host arrays

    /**
     * {@link #symmetric(CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr, int, boolean, GradientRule,
     * ChannelLayout, CUstream)} on arrays; {@code steps} per channel. With {@code trainsThreshold} the result has
     * {@code dThresholds}.
     */
    public QuantizerGradients symmetric(float[] x, float[] dy, float[] steps, int bits, boolean signed,
            GradientRule rule, boolean trainsThreshold, ChannelLayout layout) {
        KernelChecks.requireLayout(x, layout);
        KernelChecks.requireSameLength("dy", dy, x);
        KernelChecks.requireChannels("steps", steps, layout);
        try (DeviceMemory memory = memory()) {
            CUdeviceptr dx = memory.allocate(x.length);
            CUdeviceptr dThresholds = trainsThreshold ? memory.allocate(steps.length) : null;
            symmetric(memory.copyIn(x), memory.copyIn(dy), dx, memory.copyIn(steps), dThresholds, bits, signed, rule,
                    layout, null);
            return new QuantizerGradients(DeviceMemory.copyOut(dx, x.length),
                    trainsThreshold ? DeviceMemory.copyOut(dThresholds, steps.length) : null, null, null);
        }
    }

    /** {@link #uniform(CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr,
     * int, GradientRule, ChannelLayout, CUstream)} on arrays. With {@code trainsRange} the result has dMin and dMax. */
    public QuantizerGradients uniform(float[] x, float[] dy, float[] mins, float[] maxs, int bits, GradientRule rule,
            boolean trainsRange, ChannelLayout layout) {
        KernelChecks.requireLayout(x, layout);
        KernelChecks.requireSameLength("dy", dy, x);
        KernelChecks.requireChannels("mins", mins, layout);
        KernelChecks.requireChannels("maxs", maxs, layout);
        try (DeviceMemory memory = memory()) {
            CUdeviceptr dx = memory.allocate(x.length);
            CUdeviceptr dMin = trainsRange ? memory.allocate(mins.length) : null;
            CUdeviceptr dMax = trainsRange ? memory.allocate(mins.length) : null;
            uniform(memory.copyIn(x), memory.copyIn(dy), dx, memory.copyIn(mins), memory.copyIn(maxs), dMin, dMax,
                    bits, rule, layout, null);
            return new QuantizerGradients(DeviceMemory.copyOut(dx, x.length), null,
                    trainsRange ? DeviceMemory.copyOut(dMin, mins.length) : null,
                    trainsRange ? DeviceMemory.copyOut(dMax, mins.length) : null);
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

    private static void requireTensors(CUdeviceptr x, CUdeviceptr dy, CUdeviceptr dx) {
        KernelChecks.requirePointer("x", x);
        KernelChecks.requirePointer("dy", dy);
        KernelChecks.requirePointer("dx", dx);
    }

    private static void requireRule(GradientRule rule) {
        if (rule == null) {
            throw new IllegalArgumentException("a GradientRule is required: GradientRule.ste(...) or "
                    + "GradientRule.lsq(g)");
        }
    }

    @Override
    public void close() {
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
