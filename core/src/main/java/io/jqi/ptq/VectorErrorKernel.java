package io.jqi.ptq;

import io.jqi.grid.VectorApi;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Samples}'s block error sum for the common case (unweighted MSE or MAE) with JDK 17's incubating Vector API:
 * the same eight partial sums as the scalar loop, as the lanes of double vectors, so the same bits.
 *
 * <p>Each float is widened to double before the difference, as in the scalar loop; the squares (or absolute values)
 * and the additions are rounded lane by lane in the same order. The kernel uses the CPU's preferred float species
 * (the GEMM and fake-quant kernels' too: JDK 17 compiles a mix of vector shapes poorly) and its double halves: with
 * 512-bit vectors, 16 floats feed one eight-lane sum twice; with 256-bit vectors, 8 floats feed two four-lane sums
 * once. Either way partial sum j holds the positions congruent to j mod 8, in ascending order.
 *
 * <p>Used only when {@link VectorApi#ENABLED} on a CPU with 256- or 512-bit vectors ({@link #RUNS}).
 */
final class VectorErrorKernel {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    /** The species constant itself: C2 folds its lane count only when it reads a JDK constant. */
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    private static final int STEP = FLOATS.length();
    /** Whether this kernel runs: the Vector API is on and the CPU has 256- or 512-bit vectors. */
    static final boolean RUNS = VectorApi.ENABLED && (STEP == 8 || STEP == 16)
            && DOUBLES.vectorBitSize() == FLOATS.vectorBitSize();

    private VectorErrorKernel() {
    }

    /**
     * Adds to {@code sums} the eight partial sums of {@code |q[i] - x[i]|^p} (p = 2 when {@code squared}, else 1)
     * over the positions {@code from <= i < from + 16k} (largest such k) or, with 256-bit vectors, {@code from + 8k}:
     * partial sum j takes the positions {@code i - from} congruent to j mod 8, in ascending order. Returns the first
     * position not summed.
     */
    static int partialSums(float[] q, float[] x, int from, int to, boolean squared, double[] sums) {
        return squared ? squares(q, x, from, to, sums) : absolutes(q, x, from, to, sums);
    }

    // No vector value lives across a loop iteration or a branch: the sums go through memory each step. A vector
    // merged at a loop head or a branch lost its exact class in C2 and, with it, every intrinsic that used it
    // (docs/performance.md#the-vector-api).
    private static int squares(float[] q, float[] x, int from, int to, double[] sums) {
        int i = from;
        for (int end = to - STEP; i <= end; i += STEP) {
            FloatVector fq = FloatVector.fromArray(FLOATS, q, i);
            FloatVector fx = FloatVector.fromArray(FLOATS, x, i);
            DoubleVector d0 = widen(fq, 0).sub(widen(fx, 0));
            DoubleVector d1 = widen(fq, 1).sub(widen(fx, 1));
            accumulate(sums, d0.mul(d0), d1.mul(d1));
        }
        return i;
    }

    private static int absolutes(float[] q, float[] x, int from, int to, double[] sums) {
        int i = from;
        for (int end = to - STEP; i <= end; i += STEP) {
            FloatVector fq = FloatVector.fromArray(FLOATS, q, i);
            FloatVector fx = FloatVector.fromArray(FLOATS, x, i);
            accumulate(sums, widen(fq, 0).sub(widen(fx, 0)).abs(), widen(fq, 1).sub(widen(fx, 1)).abs());
        }
        return i;
    }

    /** Positions 0..7 of a step in {@code e0}'s lanes then {@code e1}'s (512 bits: 0..7 then 8..15 alike). */
    private static void accumulate(double[] sums, DoubleVector e0, DoubleVector e1) {
        if (STEP == 16) {
            DoubleVector.fromArray(DOUBLES, sums, 0).add(e0).add(e1).intoArray(sums, 0);
        } else {
            DoubleVector.fromArray(DOUBLES, sums, 0).add(e0).intoArray(sums, 0);
            DoubleVector.fromArray(DOUBLES, sums, 4).add(e1).intoArray(sums, 4);
        }
    }

    private static DoubleVector widen(FloatVector v, int part) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, DOUBLES, part);
    }
}
