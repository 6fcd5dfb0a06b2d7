package io.jqi.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

/**
 * The {@code fake_quant} kernels: affine fake quantization in both rounding modes and LUT fake quantization
 * ({@link io.jqi.tensor.Backend#fakeQuantAffine}, {@code fakeQuantLut}), and the uniform grid of a range derived on
 * the device ({@code uniformGrid}). Each kernel gives the same bits as its CPU reference ({@code AffineGrid},
 * {@code LutGrid}, {@code CpuFakeQuant}).
 *
 * <p>Two forms of each: device pointers (the tensors and parameters already on the GPU; the launch is queued on
 * {@code stream}, null for the default stream, and nothing waits for it), and host arrays (copy in, launch, copy
 * out; for tests and one-off use). Open it only where {@link CudaProbe#probe()} says CUDA is available.
 */
public final class CudaFakeQuant implements AutoCloseable {
    static final String MODULE = "fake_quant";
    private static final int BLOCK_SIZE = 256;
    // The kernels loop with a grid stride, so a capped grid still covers every element.
    private static final long MAX_BLOCKS = 65_535;

    private final CudaModule module;

    private CudaFakeQuant(CudaModule module) {
        this.module = module;
    }

    /** Loads the kernels on CUDA device 0; an IllegalStateException with the probe's reason if CUDA is unavailable. */
    public static CudaFakeQuant open() {
        return new CudaFakeQuant(CudaModule.open(MODULE, "jqi_fake_quant_affine", "jqi_fake_quant_tf_nudge",
                "jqi_fake_quant_lut", "jqi_uniform_grid"));
    }

    // ---------------------------------------------------------------- device pointers

    /**
     * {@code AffineGrid}'s arithmetic per element of {@code x} into {@code y} (which may be {@code x}), with
     * per-channel {@code steps} and {@code zeroPoints} (null: all zero, as symmetric and power-of-two grids) on the
     * integers {@code [qmin, qmax]}, rounded as {@code rounding} says.
     */
    public void affine(CUdeviceptr x, CUdeviceptr y, CUdeviceptr steps, CUdeviceptr zeroPoints, float qmin,
            float qmax, RoundingMode rounding, ChannelLayout layout, CUstream stream) {
        int n = KernelChecks.elements(layout);
        requirePointers(x, y, steps);
        launch(rounding == RoundingMode.TF_NUDGE_HALF_UP ? "jqi_fake_quant_tf_nudge" : "jqi_fake_quant_affine", n,
                stream, Pointer.to(x), Pointer.to(y), Pointer.to(steps),
                Pointer.to(zeroPoints == null ? new CUdeviceptr() : zeroPoints), floatParam(qmin), floatParam(qmax),
                KernelLayout.param(layout));
    }

    /**
     * {@code LutGrid.fakeQuant} per element: {@code levels} ({@code numLevels} floats) and per-channel
     * {@code thresholds} on the device, the grid's multiplier, clip bounds and eps as values.
     */
    public void lut(CUdeviceptr x, CUdeviceptr y, CUdeviceptr levels, int numLevels, CUdeviceptr thresholds,
            float multiplier, float lo, float hi, float eps, ChannelLayout layout, CUstream stream) {
        int n = KernelChecks.elements(layout);
        requirePointers(x, y, levels);
        KernelChecks.requirePointer("thresholds", thresholds);
        if (numLevels < 1) {
            throw new IllegalArgumentException("a LUT needs at least one level, got " + numLevels);
        }
        launch("jqi_fake_quant_lut", n, stream, Pointer.to(x), Pointer.to(y), Pointer.to(levels),
                intParam(numLevels), Pointer.to(thresholds), floatParam(multiplier), floatParam(lo), floatParam(hi),
                floatParam(eps), KernelLayout.param(layout));
    }

    /**
     * The uniform grid of per-channel ranges {@code [mins, maxs]}: {@code UniformRange.adjust} then
     * {@code AffineGrid.uniformStep} and {@code uniformZeroPoint}, into {@code steps} and {@code zeroPoints};
     * quantize with {@link #affine} and qmin 0, qmax {@code 2^bits - 1}.
     */
    public void uniformGrid(CUdeviceptr mins, CUdeviceptr maxs, CUdeviceptr steps, CUdeviceptr zeroPoints,
            int channels, int bits, CUstream stream) {
        requirePointers(mins, maxs, steps);
        KernelChecks.requirePointer("zeroPoints", zeroPoints);
        KernelChecks.requireBits(bits);
        requireChannelCount(channels);
        launch("jqi_uniform_grid", channels, stream, Pointer.to(mins), Pointer.to(maxs), Pointer.to(steps),
                Pointer.to(zeroPoints), intParam(channels), floatParam((float) ((1L << bits) - 1)));
    }

    // ---------------------------------------------------------------- host arrays

    /** {@link #affine(CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr, float, float, RoundingMode,
     * ChannelLayout, CUstream)} on arrays. */
    public float[] affine(float[] x, float[] steps, float[] zeroPoints, float qmin, float qmax, RoundingMode rounding,
            ChannelLayout layout) {
        KernelChecks.requireLayout(x, layout);
        KernelChecks.requireChannels("steps", steps, layout);
        KernelChecks.requireChannels("zeroPoints", zeroPoints, layout);
        if (x.length == 0) {
            return new float[0];
        }
        try (DeviceMemory memory = memory()) {
            CUdeviceptr out = memory.allocate(x.length);
            affine(memory.copyIn(x), out, memory.copyIn(steps), memory.copyIn(zeroPoints), qmin, qmax, rounding,
                    layout, null);
            return DeviceMemory.copyOut(out, x.length);
        }
    }

    /** {@code LutGrid.fakeQuant} per element, with the grid's own levels, thresholds, M, clip bounds and eps. */
    public float[] lut(float[] x, LutGrid grid, ChannelLayout layout) {
        KernelChecks.requireLayout(x, layout);
        float[] thresholds = grid.thresholds();
        float[] levels = grid.levels();
        KernelChecks.requireChannels("thresholds", thresholds, layout);
        if (x.length == 0) {
            return new float[0];
        }
        try (DeviceMemory memory = memory()) {
            CUdeviceptr out = memory.allocate(x.length);
            lut(memory.copyIn(x), out, memory.copyIn(levels), levels.length, memory.copyIn(thresholds),
                    grid.multiplier(), grid.lo(), grid.hi(), grid.eps(), layout, null);
            return DeviceMemory.copyOut(out, x.length);
        }
    }

    /** {@link #uniformGrid(CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr, int, int, CUstream)} on arrays:
     * returns {@code {steps, zeroPoints}}. */
    public float[][] uniformGrid(float[] mins, float[] maxs, int bits) {
        requireChannelCount(mins == null ? 0 : mins.length);
        if (maxs == null || maxs.length != mins.length) {
            throw new IllegalArgumentException("mins has " + mins.length + " values but maxs has "
                    + (maxs == null ? "none" : maxs.length) + "; pass one range per channel");
        }
        try (DeviceMemory memory = memory()) {
            CUdeviceptr steps = memory.allocate(mins.length);
            CUdeviceptr zeroPoints = memory.allocate(mins.length);
            uniformGrid(memory.copyIn(mins), memory.copyIn(maxs), steps, zeroPoints, mins.length, bits, null);
            return new float[][] {DeviceMemory.copyOut(steps, mins.length),
                DeviceMemory.copyOut(zeroPoints, mins.length)};
        }
    }

    // ---------------------------------------------------------------- launching

    private DeviceMemory memory() {
        module.makeCurrent("CudaFakeQuant");
        return new DeviceMemory();
    }

    private void launch(String kernel, int n, CUstream stream, Pointer... params) {
        module.makeCurrent("CudaFakeQuant");
        if (n == 0) {
            return;
        }
        CUfunction function = module.function(kernel);
        int blocks = (int) Math.min((n + (long) BLOCK_SIZE - 1) / BLOCK_SIZE, MAX_BLOCKS);
        cuLaunchKernel(function, blocks, 1, 1, BLOCK_SIZE, 1, 1, 0, stream, Pointer.to(params), null);
    }

    private static void requirePointers(CUdeviceptr first, CUdeviceptr second, CUdeviceptr third) {
        KernelChecks.requirePointer("the first device pointer argument", first);
        KernelChecks.requirePointer("the second device pointer argument", second);
        KernelChecks.requirePointer("the third device pointer argument", third);
    }

    private static void requirePointers(CUdeviceptr first, CUdeviceptr second) {
        requirePointers(first, second, second);
    }

    private static void requireChannelCount(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("at least one channel is needed (one for per-tensor), got "
                    + channels);
        }
    }

    static Pointer intParam(int value) {
        return Pointer.to(new int[] {value});
    }

    static Pointer floatParam(float value) {
        return Pointer.to(new float[] {value});
    }

    @Override
    public void close() {
        module.close();
    }
}
