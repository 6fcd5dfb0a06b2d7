package io.jqi.cuda;

import static io.jqi.cuda.HostProtocol.floats;
import static io.jqi.cuda.HostProtocol.hex;
import static io.jqi.cuda.HostProtocol.ints;
import static io.jqi.cuda.HostProtocol.parseFloats;
import static io.jqi.cuda.HostProtocol.parseInts;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.RoundingMode;
import io.jqi.tensor.Backend;
import io.jqi.tensor.BinaryOp;
import io.jqi.tensor.Device;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Storage;
import io.jqi.tensor.UnaryOp;
import io.jqi.tensor.Window2d;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backend's real .cu kernels compiled for the host (src/test/emulation, cuda_host.h), one process per call. The
 * host side is CudaBackend's own: which kernel runs and with which plan comes from {@link KernelPlans} and the op
 * codes from {@link CudaOps}; what is left here is carrying arrays to the process and back. It checks the kernels'
 * logic without a GPU; JCuda, the driver and the allocator are what only {@link CudaBackendGpuTest} covers.
 */
final class HostKernelBackend implements Backend {
    private final Path executable;
    /** The quantizer kernels compiled for the host, or null: then the fake-quantization primitives are errors. */
    private final HostQuantKernels quant;
    private final AtomicInteger fusedForwards = new AtomicInteger();
    private final AtomicInteger fusedBackwards = new AtomicInteger();

    HostKernelBackend(Path executable) {
        this(executable, null);
    }

    /** With {@code quant}, the fake-quantization primitives run on the host-compiled quantizer kernels too. */
    HostKernelBackend(Path executable, HostQuantKernels quant) {
        this.executable = executable;
        this.quant = quant;
    }

    /** How many affine fake-quantization forwards and backwards ran on the emulated kernels. */
    int[] fusedCalls() {
        return new int[] {fusedForwards.get(), fusedBackwards.get()};
    }

    /**
     * Host arrays labelled as this emulated backend's CUDA storage, so that CpuBackend rejects them as it would device
     * memory and their tensors' operations run here.
     */
    private record HostArray(HostKernelBackend backend, float[] values) implements Storage {

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public float[] toHostArray() {
            return values.clone();
        }
    }

    private static float[] values(Storage s) {
        return ((HostArray) s).values();
    }

    private Storage of(float[] v) {
        return new HostArray(this, v);
    }

    @Override
    public Device device() {
        return Device.CUDA;
    }

    @Override
    public Storage fromHost(float[] v) {
        return of(v.clone());
    }

    @Override
    public Storage zeros(int size) {
        return of(new float[size]);
    }

    @Override
    public float[] toHost(Storage x) {
        return values(x).clone();
    }

    @Override
    public Storage map(UnaryOp op, Storage x, float a, float b) {
        return of(parseFloats(call("map " + CudaOps.unaryCode(op) + " " + hex(a) + " " + hex(b) + "\n"
                + floats(values(x))).get(0)));
    }

    @Override
    public Storage zip(BinaryOp op, Storage a, Shape aShape, Storage b, Shape bShape, Shape outShape) {
        KernelPlans.ZipKind kind = KernelPlans.zipKind(aShape, bShape, b.size(), outShape);
        int[] plan = kind == KernelPlans.ZipKind.BROADCAST ? KernelPlans.broadcast(aShape, bShape, outShape)
                : new int[1 + 3 * KernelPlans.MAX_RANK];
        // kernels_on_host.cpp numbers the kinds in ZipKind's order.
        return of(parseFloats(call("zip " + CudaOps.binaryCode(op) + " " + kind.ordinal() + "\n" + ints(plan)
                + floats(values(a)) + floats(values(b)) + outShape.numel() + "\n").get(0)));
    }

    @Override
    public Storage sumTo(Storage x, Shape xShape, Shape outShape) {
        if (outShape.numel() == 0) {
            return of(new float[0]);
        }
        return of(parseFloats(call("sum\n" + ints(KernelPlans.sum(xShape, outShape)) + floats(values(x))
                + outShape.numel() + " " + KernelPlans.reducedCount(xShape, outShape) + "\n").get(0)));
    }

    @Override
    public Storage maxLastAxis(Storage x, int rows, int cols, int[] argmax) {
        List<String> r = call("max " + rows + " " + cols + " " + (argmax == null ? 0 : 1) + "\n" + floats(values(x)));
        if (argmax != null) {
            System.arraycopy(parseInts(r.get(1)), 0, argmax, 0, rows);
        }
        return of(parseFloats(r.get(0)));
    }

    @Override
    public Storage matmul(Storage a, Storage b, int batch, int m, int k, int n, boolean transposeA,
            boolean transposeB, int aBatchStride, int bBatchStride) {
        if (batch * m * n == 0) {
            return of(new float[0]);
        }
        if (k == 0) {
            return of(new float[batch * m * n]);
        }
        KernelPlans.GemmStrides s = KernelPlans.GemmStrides.of(m, k, n, transposeA, transposeB);
        int[] grid = KernelPlans.gemmGrid(m, n);
        return of(parseFloats(call("gemm " + grid[0] + " " + grid[1] + " " + batch + " " + m + " " + k + " " + n + " "
                + s.aRow() + " " + s.aCol() + " " + s.bRow() + " " + s.bCol() + " " + aBatchStride + " "
                + bBatchStride + "\n" + floats(values(a)) + floats(values(b))).get(0)));
    }

    @Override
    public Storage permute(Storage x, Shape xShape, int[] permutation) {
        return of(parseFloats(call("permute\n" + ints(KernelPlans.permute(xShape, permutation)) + floats(values(x)))
                .get(0)));
    }

    private float[] copyRows(float[] src, float[] dst, KernelPlans.RowCopy r) {
        if (r.elements() == 0) {
            return dst;
        }
        return parseFloats(call("rows " + r.rows() + " " + r.row() + " " + r.srcPitch() + " " + r.srcOffset() + " "
                + r.dstPitch() + " " + r.dstOffset() + " " + dst.length + "\n" + floats(src) + floats(dst)).get(0));
    }

    @Override
    public Storage concat(Storage[] parts, Shape[] shapes, int axis, Shape outShape) {
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            sizes[i] = parts[i].size();
        }
        KernelPlans.RowCopy[] copies = KernelPlans.concat(sizes, axis, outShape);
        float[] out = new float[outShape.numel()];
        for (int i = 0; i < parts.length; i++) {
            out = copyRows(values(parts[i]), out, copies[i]);
        }
        return of(out);
    }

    @Override
    public Storage narrow(Storage x, Shape xShape, int axis, int start, int length) {
        KernelPlans.RowCopy copy = KernelPlans.narrow(xShape, axis, start, length);
        return of(copyRows(values(x), new float[Math.toIntExact(copy.elements())], copy));
    }

    private String window(String op, Window2d w, float[] x, long outputs) {
        return op + "\n" + ints(KernelPlans.window(w)) + floats(x) + outputs + "\n";
    }

    @Override
    public Storage im2col(Storage x, Window2d w) {
        return of(parseFloats(call(window("im2col", w, values(x), w.columnsSize())).get(0)));
    }

    @Override
    public Storage col2im(Storage columns, Window2d w) {
        return of(parseFloats(call(window("col2im", w, values(columns), w.inputSize())).get(0)));
    }

    @Override
    public Storage maxPool2d(Storage x, Window2d w, int[] argmax) {
        List<String> r = call(window("maxpool", w, values(x), w.outputSize()));
        if (argmax != null) {
            System.arraycopy(parseInts(r.get(1)), 0, argmax, 0, argmax.length);
        }
        return of(parseFloats(r.get(0)));
    }

    @Override
    public Storage maxPool2dBackward(Storage gradOutput, int[] argmax, Window2d w) {
        return of(parseFloats(call(window("maxpoolb", w, values(gradOutput), w.inputSize()) + ints(argmax)).get(0)));
    }

    @Override
    public Storage avgPool2d(Storage x, Window2d w) {
        return of(parseFloats(call(window("avgpool", w, values(x), w.outputSize())).get(0)));
    }

    @Override
    public Storage avgPool2dBackward(Storage gradOutput, Window2d w) {
        return of(parseFloats(call(window("avgpoolb", w, values(gradOutput), w.inputSize())).get(0)));
    }

    @Override
    public void axpyInPlace(Storage target, float alpha, Storage x) {
        float[] r = parseFloats(call("axpy " + hex(alpha) + "\n" + floats(values(target)) + floats(values(x))).get(0));
        System.arraycopy(r, 0, values(target), 0, r.length);
    }

    @Override
    public void copyInPlace(Storage target, Storage source) {
        System.arraycopy(values(source), 0, values(target), 0, target.size());
    }

    /** The quantizer kernels of this emulation: with them the fake-quantization primitives run; without, an error. */
    private HostQuantKernels quant() {
        if (quant == null) {
            throw new UnsupportedOperationException("this emulated backend was built without the quantizer kernels; "
                    + "pass a HostQuantKernels");
        }
        return quant;
    }

    @Override
    public Storage fakeQuantAffine(Storage x, ChannelLayout layout, Storage steps, Storage zeroPoints, float qmin,
            float qmax, RoundingMode rounding) {
        fusedForwards.incrementAndGet();
        float[] zps = zeroPoints == null ? new float[layout.channels()] : values(zeroPoints);
        return of(quant().affine(values(x), values(steps), zps, qmin, qmax, rounding, layout));
    }

    @Override
    public Storage[] fakeQuantAffineBackward(Storage x, Storage dy, ChannelLayout layout, Storage steps,
            Storage offsets, float qmin, float qmax, boolean clipped, boolean parameterGradients) {
        fusedBackwards.incrementAndGet();
        FakeQuantGradients g = quant().backward(values(x), values(dy), values(steps),
                offsets == null ? null : values(offsets), qmin, qmax, clipped, parameterGradients, layout);
        return new Storage[] {of(g.dx()), orNull(g.dSteps()), orNull(g.dOffsets())};
    }

    @Override
    public Storage fakeQuantLut(Storage x, ChannelLayout layout, Storage levels, Storage thresholds,
            float multiplier, float lo, float hi, float eps) {
        return of(quant().lut(values(x), values(levels), values(thresholds), multiplier, lo, hi, eps, layout));
    }

    @Override
    public Storage uniformGrid(Storage min, Storage max, int channels, int bits) {
        float[][] grid = quant().uniformGrid(values(min), values(max), bits);
        float[] out = new float[2 * channels];
        System.arraycopy(grid[0], 0, out, 0, channels);
        System.arraycopy(grid[1], 0, out, channels, channels);
        return of(out);
    }

    private Storage orNull(float[] values) {
        return values == null ? null : of(values);
    }

    private List<String> call(String request) {
        return HostProtocol.call(executable, request);
    }
}
