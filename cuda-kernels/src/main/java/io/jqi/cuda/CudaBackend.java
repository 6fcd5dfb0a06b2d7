package io.jqi.cuda;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.RoundingMode;
import io.jqi.tensor.Backend;
import io.jqi.tensor.BinaryOp;
import io.jqi.tensor.Device;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Storage;
import io.jqi.tensor.UnaryOp;
import io.jqi.tensor.Window2d;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * The CUDA kernels behind {@link Backend}: each method launches the kernel of one .cu file in
 * {@code src/main/cuda} on the context's single stream and returns at once, with the result in a new
 * {@link CudaStorage}; nothing is read back to the host except by {@link #toHost} (and the argmax arrays the
 * interface puts on the host, see {@link #maxPool2d}).
 *
 * <p>Found by {@code Backends} through {@code META-INF/services}: the constructor touches no native code, and the
 * CUDA context is created on the first kernel call, which throws an {@link IllegalStateException} carrying
 * {@link CudaProbe}'s reason where there is no GPU. Exactness against {@code CpuBackend} is documented per kernel
 * and in docs/cuda.md.
 */
public final class CudaBackend implements Backend {
    private static final int SUM_THREADS = 256;
    private static final int MAX_GRID_Z = 65_535;

    /** The GEMM every product runs, or null to follow {@link GemmMode#PROPERTY} at each product. */
    private final GemmMode gemm;

    /**
     * Public for {@link java.util.ServiceLoader}; touches no native code. Products follow the system property
     * {@code jqi.cuda.gemm} (auto, cublas or jqi; see docs/cuda.md), read at each product.
     */
    public CudaBackend() {
        this(null);
    }

    /** A backend whose products always run {@code gemm} (tests that need one GEMM regardless of the property). */
    CudaBackend(GemmMode gemm) {
        this.gemm = gemm;
    }

    private static CudaContext ctx() {
        return CudaContext.get();
    }

    private static CudaStorage cuda(Storage s) {
        if (s instanceof CudaStorage c) {
            return c;
        }
        throw new IllegalArgumentException("The CUDA backend got " + s.device() + " storage; move the tensor with "
                + "to(Device.CUDA) first");
    }

    private static Pointer ptr(Storage s) {
        return Pointer.to(cuda(s).pointer());
    }

    private static Pointer ptr(CUdeviceptr p) {
        return Pointer.to(p);
    }

    private static Pointer i32(int v) {
        return Pointer.to(new int[] {v});
    }

    private static Pointer i64(long v) {
        return Pointer.to(new long[] {v});
    }

    private static Pointer f32(float v) {
        return Pointer.to(new float[] {v});
    }

    @Override
    public Device device() {
        return Device.CUDA;
    }

    @Override
    public Storage fromHost(float[] values) {
        return ctx().fromHost(this, values);
    }

    @Override
    public Storage zeros(int size) {
        return ctx().zeros(this, size);
    }

    @Override
    public float[] toHost(Storage x) {
        return ctx().toHost(cuda(x));
    }

    @Override
    public Storage map(UnaryOp op, Storage x, float a, float b) {
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, x.size());
        c.launch1d("jqi_map", x.size(), i32(CudaOps.unaryCode(op)), ptr(x), ptr(out), i64(x.size()), f32(a), f32(b));
        return out;
    }

    @Override
    public Storage zip(BinaryOp op, Storage a, Shape aShape, Storage b, Shape bShape, Shape outShape) {
        CudaContext c = ctx();
        int n = outShape.numel();
        CudaStorage out = c.allocate(this, n);
        Pointer code = i32(CudaOps.binaryCode(op));
        KernelPlans.ZipKind kind = KernelPlans.zipKind(aShape, bShape, b.size(), outShape);
        if (kind == KernelPlans.ZipKind.BROADCAST) {
            int[] plan = KernelPlans.broadcast(aShape, bShape, outShape);
            c.launch1d(kind.kernel, n, code, ptr(a), ptr(b), ptr(out), i64(n), Pointer.to(plan));
        } else {
            c.launch1d(kind.kernel, n, code, ptr(a), ptr(b), ptr(out), i64(n));
        }
        return out;
    }

    @Override
    public Storage sumTo(Storage x, Shape xShape, Shape outShape) {
        CudaContext c = ctx();
        int outputs = outShape.numel();
        CudaStorage out = c.allocate(this, outputs);
        int[] plan = KernelPlans.sum(xShape, outShape);
        if (outputs > 0) {
            c.launch("jqi_sum_to", outputs, 1, 1, SUM_THREADS, ptr(x), ptr(out),
                    i64(KernelPlans.reducedCount(xShape, outShape)), Pointer.to(plan));
        }
        return out;
    }

    @Override
    public Storage maxLastAxis(Storage x, int rows, int cols, int[] argmax) {
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, rows);
        CudaStorage indexes = argmax == null ? null : c.allocate(this, rows);
        CUdeviceptr indexPointer = indexes == null ? new CUdeviceptr() : indexes.pointer();
        c.launch1d("jqi_max_last_axis", rows, ptr(x), ptr(out), ptr(indexPointer), i32(rows), i32(cols));
        if (argmax != null) {
            // The interface asks for host indexes (accuracy counting): a copy, as at any edge.
            c.toHost(indexPointer, argmax);
        }
        return out;
    }

    /**
     * jqi's own kernel (bit-exact against the CPU) or cuBLAS (within the GEMM tolerance, faster on large shapes), as
     * {@link GemmMode} decides; an invalid {@code jqi.cuda.gemm} fails here, before any CUDA call.
     */
    @Override
    public Storage matmul(Storage a, Storage b, int batch, int m, int k, int n, boolean transposeA,
            boolean transposeB, int aBatchStride, int bBatchStride) {
        GemmMode mode = gemm != null ? gemm : GemmMode.fromSystemProperty();
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, batch * m * n);
        if (out.size() == 0) {
            return out;
        }
        if (k == 0) {
            return zeros(out.size());
        }
        if (mode.useCublas(c::cublasAvailability)) {
            c.cublas().sgemm(cuda(a).pointer(), cuda(b).pointer(), out.pointer(), batch, m, k, n, transposeA,
                    transposeB, aBatchStride, bBatchStride);
            return out;
        }
        KernelPlans.GemmStrides s = KernelPlans.GemmStrides.of(m, k, n, transposeA, transposeB);
        int[] grid = KernelPlans.gemmGrid(m, n);
        for (int b0 = 0; b0 < batch; b0 += MAX_GRID_Z) {
            int chunk = Math.min(MAX_GRID_Z, batch - b0);
            CUdeviceptr aAt = cuda(a).pointer().withByteOffset((long) b0 * aBatchStride * Float.BYTES);
            CUdeviceptr bAt = cuda(b).pointer().withByteOffset((long) b0 * bBatchStride * Float.BYTES);
            CUdeviceptr cAt = out.pointer().withByteOffset((long) b0 * m * n * Float.BYTES);
            c.launch("jqi_gemm", grid[0], grid[1], chunk, 256, ptr(aAt), ptr(bAt), ptr(cAt), i32(m), i32(k), i32(n),
                    i32(s.aRow()), i32(s.aCol()), i32(s.bRow()), i32(s.bCol()), i64(aBatchStride),
                    i64(bBatchStride));
        }
        return out;
    }

    @Override
    public Storage permute(Storage x, Shape xShape, int[] permutation) {
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, x.size());
        int[] plan = KernelPlans.permute(xShape, permutation);
        c.launch1d("jqi_permute", x.size(), ptr(x), ptr(out), i64(x.size()), Pointer.to(plan));
        return out;
    }

    @Override
    public Storage concat(Storage[] parts, Shape[] shapes, int axis, Shape outShape) {
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, outShape.numel());
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            sizes[i] = parts[i].size();
        }
        KernelPlans.RowCopy[] copies = KernelPlans.concat(sizes, axis, outShape);
        for (int i = 0; i < parts.length; i++) {
            copyRows(c, cuda(parts[i]).pointer(), out.pointer(), copies[i]);
        }
        return out;
    }

    @Override
    public Storage narrow(Storage x, Shape xShape, int axis, int start, int length) {
        CudaContext c = ctx();
        KernelPlans.RowCopy copy = KernelPlans.narrow(xShape, axis, start, length);
        CudaStorage out = c.allocate(this, Math.toIntExact(copy.elements()));
        copyRows(c, cuda(x).pointer(), out.pointer(), copy);
        return out;
    }

    private static void copyRows(CudaContext c, CUdeviceptr src, CUdeviceptr dst, KernelPlans.RowCopy r) {
        c.launch1d("jqi_copy_rows", r.elements(), ptr(src), ptr(dst), i32(r.rows()), i32(r.row()),
                i64(r.srcPitch()), i64(r.srcOffset()), i64(r.dstPitch()), i64(r.dstOffset()));
    }

    @Override
    public Storage im2col(Storage x, Window2d window) {
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, window.columnsSize());
        c.launch1d("jqi_im2col", out.size(), ptr(x), ptr(out), window(window));
        return out;
    }

    @Override
    public Storage col2im(Storage columns, Window2d window) {
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, window.inputSize());
        c.launch1d("jqi_col2im", out.size(), ptr(columns), ptr(out), window(window));
        return out;
    }

    /**
     * The interface hands argmax to the caller as a host array, so asking for it costs a device-to-host copy here
     * (and a copy back in {@link #maxPool2dBackward}); the built-in models' training steps use no max pooling.
     */
    @Override
    public Storage maxPool2d(Storage x, Window2d window, int[] argmax) {
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, window.outputSize());
        CudaStorage indexes = c.allocate(this, out.size());
        c.launch1d("jqi_max_pool", out.size(), ptr(x), ptr(out), ptr(indexes), window(window));
        if (argmax != null) {
            c.toHost(indexes.pointer(), argmax);
        }
        return out;
    }

    @Override
    public Storage maxPool2dBackward(Storage gradOutput, int[] argmax, Window2d window) {
        CudaContext c = ctx();
        CudaStorage indexes = c.allocate(this, argmax.length);
        c.fromHost(argmax, indexes.pointer());
        CudaStorage out = c.allocate(this, window.inputSize());
        c.launch1d("jqi_max_pool_backward", out.size(), ptr(gradOutput), ptr(indexes), ptr(out), window(window));
        return out;
    }

    @Override
    public Storage avgPool2d(Storage x, Window2d window) {
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, window.outputSize());
        c.launch1d("jqi_avg_pool", out.size(), ptr(x), ptr(out), window(window));
        return out;
    }

    @Override
    public Storage avgPool2dBackward(Storage gradOutput, Window2d window) {
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, window.inputSize());
        c.launch1d("jqi_avg_pool_backward", out.size(), ptr(gradOutput), ptr(out), window(window));
        return out;
    }

    @Override
    public Storage fakeQuantAffine(Storage x, ChannelLayout layout, Storage steps, Storage zeroPoints, float qmin,
            float qmax, RoundingMode rounding) {
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, x.size());
        c.fakeQuant().affine(cuda(x).pointer(), out.pointer(), cuda(steps).pointer(),
                zeroPoints == null ? null : cuda(zeroPoints).pointer(), qmin, qmax, rounding, layout, null);
        return out;
    }

    /** {@code jqi_fake_quant_backward}: dx and the per-channel parameter gradients, one launch. */
    @Override
    public Storage[] fakeQuantAffineBackward(Storage x, Storage dy, ChannelLayout layout, Storage steps,
            Storage offsets, float qmin, float qmax, boolean clipped, boolean parameterGradients) {
        CudaContext c = ctx();
        int channels = layout.channels();
        CudaStorage dx = c.allocate(this, x.size());
        CudaStorage dSteps = parameterGradients ? c.allocate(this, channels) : null;
        CudaStorage dOffsets = parameterGradients && offsets != null ? c.allocate(this, channels) : null;
        c.quantBackward().affine(cuda(x).pointer(), cuda(dy).pointer(), dx.pointer(), cuda(steps).pointer(),
                offsets == null ? null : cuda(offsets).pointer(), dSteps == null ? null : dSteps.pointer(),
                dOffsets == null ? null : dOffsets.pointer(), qmin, qmax, clipped, layout, null);
        return new Storage[] {dx, dSteps, dOffsets};
    }

    @Override
    public Storage fakeQuantLut(Storage x, ChannelLayout layout, Storage levels, Storage thresholds,
            float multiplier, float lo, float hi, float eps) {
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, x.size());
        c.fakeQuant().lut(cuda(x).pointer(), out.pointer(), cuda(levels).pointer(), levels.size(),
                cuda(thresholds).pointer(), multiplier, lo, hi, eps, layout, null);
        return out;
    }

    /** {@code jqi_uniform_grid} (fake_quant.cu): bit for bit the CPU's grid, with no host round trip. */
    @Override
    public Storage uniformGrid(Storage min, Storage max, int channels, int bits) {
        if (min.size() != channels || max.size() != channels) {
            throw new IllegalArgumentException("Expected " + channels + " ranges, got " + min.size() + " min and "
                    + max.size() + " max values");
        }
        KernelChecks.requireBits(bits);
        CudaContext c = ctx();
        CudaStorage out = c.allocate(this, 2 * channels);
        CUdeviceptr zeroPoints = out.pointer().withByteOffset((long) channels * Float.BYTES);
        c.fakeQuant().uniformGrid(cuda(min).pointer(), cuda(max).pointer(), out.pointer(), zeroPoints, channels, bits,
                null);
        return out;
    }

    @Override
    public void axpyInPlace(Storage target, float alpha, Storage x) {
        ctx().launch1d("jqi_axpy", target.size(), ptr(target), f32(alpha), ptr(x), i64(target.size()));
    }

    @Override
    public void copyInPlace(Storage target, Storage source) {
        ctx().copy(cuda(source).pointer(), cuda(target).pointer(), target.size());
    }

    /**
     * One line naming the GEMM that products run now (for logs and benchmark headers): cuBLAS with its version, or
     * jqi's kernel and, under auto, why cuBLAS is not used. Creates the CUDA context like any kernel call.
     */
    public String gemmInUse() {
        GemmMode mode = gemm != null ? gemm : GemmMode.fromSystemProperty();
        CudaContext c = ctx();
        if (mode.useCublas(c::cublasAvailability)) {
            return c.cublasAvailability().reason();
        }
        return "jqi's GEMM kernel" + (mode == GemmMode.AUTO ? " (cuBLAS: " + c.cublasAvailability().reason() + ")"
                : " (-D" + GemmMode.PROPERTY + "=jqi)");
    }

    /** Waits for every queued kernel: for timing and tests; results need no explicit synchronisation. */
    public void synchronize() {
        ctx().synchronize();
    }

    /** Bytes the caching allocator holds for reuse, and bytes in live tensors. */
    public long[] memory() {
        CudaAllocator a = ctx().allocator();
        return new long[] {a.cachedBytes(), a.liveBytes()};
    }

    private static Pointer window(Window2d w) {
        return Pointer.to(KernelPlans.window(w));
    }
}
