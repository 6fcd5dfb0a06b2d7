package io.jqi.cuda;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Window2d;

/**
 * CudaBackend's host side: which kernel an operation launches and the index plans the kernels receive by value (int
 * arrays laid out field for field as the structs of the .cu files: all int fields, so there is no padding to match).
 * Strides are those CpuBackend walks. The host emulation of the kernels (the tests' HostKernelBackend) plans with the
 * same methods, so what it checks is this code too.
 */
final class KernelPlans {
    /** JQI_MAX_RANK of jqi_common.cuh. */
    static final int MAX_RANK = 8;
    /** gemm.cu's output tile: each block computes a GEMM_TILE x GEMM_TILE tile of C. */
    static final int GEMM_TILE = 64;

    /** zip.cu's three kernels, from the most to the least specialised. */
    enum ZipKind {
        /** Both operands have the output's shape. */
        SAME("jqi_zip_same"),
        /** The left operand has the output's shape, the right one is a single value. */
        SCALAR("jqi_zip_scalar"),
        /** Anything else: strides from {@link #broadcast}. */
        BROADCAST("jqi_zip_broadcast");

        final String kernel;

        ZipKind(String kernel) {
            this.kernel = kernel;
        }
    }

    /** One launch of copy_rows.cu: {@code rows} rows of {@code row} floats, each side with its pitch and offset. */
    record RowCopy(int rows, int row, long srcPitch, long srcOffset, long dstPitch, long dstOffset) {
        long elements() {
            return (long) rows * row;
        }
    }

    /** Element (u, v) of op(A) is {@code a[u * aRow + v * aCol]}, and the same for op(B): gemm.cu's operand walk. */
    record GemmStrides(int aRow, int aCol, int bRow, int bCol) {
        static GemmStrides of(int m, int k, int n, boolean transposeA, boolean transposeB) {
            return new GemmStrides(transposeA ? 1 : k, transposeA ? m : 1, transposeB ? 1 : n, transposeB ? k : 1);
        }
    }

    private KernelPlans() {
    }

    /** The zip kernel for these shapes ({@code bSize}: the right operand's element count). */
    static ZipKind zipKind(Shape aShape, Shape bShape, int bSize, Shape outShape) {
        if (aShape.equals(outShape) && bShape.equals(outShape)) {
            return ZipKind.SAME;
        }
        return aShape.equals(outShape) && bSize == 1 ? ZipKind.SCALAR : ZipKind.BROADCAST;
    }

    /** gemm.cu's grid for an m x n output: {x blocks over n, y blocks over m}. */
    static int[] gemmGrid(int m, int n) {
        return new int[] {(n + GEMM_TILE - 1) / GEMM_TILE, (m + GEMM_TILE - 1) / GEMM_TILE};
    }

    /**
     * The row copies that concatenate {@code parts} (their element counts) along {@code axis} of {@code outShape}:
     * each part's rows land side by side in the output's rows.
     */
    static RowCopy[] concat(int[] partSizes, int axis, Shape outShape) {
        int outer = outShape.sizeBefore(axis);
        int outRow = outShape.numel() / Math.max(outer, 1);
        RowCopy[] copies = new RowCopy[partSizes.length];
        int offset = 0;
        for (int i = 0; i < partSizes.length; i++) {
            int row = outer == 0 ? 0 : partSizes[i] / outer;
            copies[i] = new RowCopy(outer, row, row, 0, outRow, offset);
            offset += row;
        }
        return copies;
    }

    /** The row copy that takes {@code length} entries of {@code axis} from {@code start}. */
    static RowCopy narrow(Shape xShape, int axis, int start, int length) {
        int inner = xShape.sizeAfter(axis);
        int outRow = length * inner;
        return new RowCopy(xShape.sizeBefore(axis), outRow, (long) xShape.dim(axis) * inner, (long) start * inner,
                outRow, 0);
    }

    /** zip.cu's Broadcast: rank, output dims, then each operand's broadcast strides (0 where it repeats). */
    static int[] broadcast(Shape aShape, Shape bShape, Shape outShape) {
        int rank = requireRank(outShape);
        int[] plan = new int[1 + 3 * MAX_RANK];
        plan[0] = rank;
        System.arraycopy(outShape.toArray(), 0, plan, 1, rank);
        System.arraycopy(aShape.broadcastStrides(outShape), 0, plan, 1 + MAX_RANK, rank);
        System.arraycopy(bShape.broadcastStrides(outShape), 0, plan, 1 + 2 * MAX_RANK, rank);
        return plan;
    }

    /** sum_to.cu's SumPlan: the kept axes (output order) and the summed axes, each with its input strides. */
    static int[] sum(Shape xShape, Shape outShape) {
        int rank = requireRank(xShape);
        int[] dims = xShape.toArray();
        int[] strides = xShape.strides();
        int[] plan = new int[2 + 4 * MAX_RANK];
        int kept = 0;
        int reduced = 0;
        for (int d = 0; d < rank; d++) {
            if (summed(xShape, outShape, d)) {
                plan[2 + 2 * MAX_RANK + reduced] = dims[d];
                plan[2 + 3 * MAX_RANK + reduced] = strides[d];
                reduced++;
            } else {
                plan[1 + kept] = dims[d];
                plan[1 + MAX_RANK + kept] = strides[d];
                kept++;
            }
        }
        plan[0] = kept;
        plan[1 + 2 * MAX_RANK] = reduced;
        return plan;
    }

    /** How many input elements each output element of a sumTo adds up (0 for an empty input). */
    static long reducedCount(Shape xShape, Shape outShape) {
        long count = 1;
        for (int d = 0; d < xShape.rank(); d++) {
            if (summed(xShape, outShape, d)) {
                count *= xShape.dim(d);
            }
        }
        return xShape.numel() == 0 ? 0 : count;
    }

    private static boolean summed(Shape xShape, Shape outShape, int axis) {
        return outShape.dim(axis) == 1 && xShape.dim(axis) != 1;
    }

    /** permute.cu's PermutePlan: rank, output dims, and the input stride of each output axis. */
    static int[] permute(Shape xShape, int[] permutation) {
        int rank = requireRank(xShape);
        int[] dims = xShape.toArray();
        int[] strides = xShape.strides();
        int[] plan = new int[1 + 2 * MAX_RANK];
        plan[0] = rank;
        for (int d = 0; d < rank; d++) {
            plan[1 + d] = dims[permutation[d]];
            plan[1 + MAX_RANK + d] = strides[permutation[d]];
        }
        return plan;
    }

    /** jqi_common.cuh's Window2d, field for field the record (ceilMode as 0 or 1). */
    static int[] window(Window2d w) {
        return new int[] {w.batch(), w.channels(), w.height(), w.width(), w.kernelHeight(), w.kernelWidth(),
            w.strideHeight(), w.strideWidth(), w.padHeight(), w.padWidth(), w.dilationHeight(), w.dilationWidth(),
            w.ceilMode() ? 1 : 0};
    }

    private static int requireRank(Shape shape) {
        if (shape.rank() > MAX_RANK) {
            throw new IllegalArgumentException("The CUDA backend handles tensors of rank at most " + MAX_RANK
                    + " in broadcasts, sums and permutations; got shape " + shape);
        }
        return shape.rank();
    }
}
