package io.jqi.cuda;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Window2d;

/**
 * The index plans the kernels receive by value, computed on the host: int arrays laid out field for field as the
 * structs of the .cu files (all int fields, so there is no padding to match). Strides are those CpuBackend walks.
 */
final class KernelPlans {
    /** JQI_MAX_RANK of jqi_common.cuh. */
    static final int MAX_RANK = 8;

    private KernelPlans() {
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

    /** jqi_common.cuh's Window2d, field for field the record. */
    static int[] window(Window2d w) {
        return new int[] {w.batch(), w.channels(), w.height(), w.width(), w.kernelHeight(), w.kernelWidth(),
            w.strideHeight(), w.strideWidth(), w.padHeight(), w.padWidth(), w.dilationHeight(), w.dilationWidth()};
    }

    private static int requireRank(Shape shape) {
        if (shape.rank() > MAX_RANK) {
            throw new IllegalArgumentException("The CUDA backend handles tensors of rank at most " + MAX_RANK
                    + " in broadcasts, sums and permutations; got shape " + shape);
        }
        return shape.rank();
    }
}
