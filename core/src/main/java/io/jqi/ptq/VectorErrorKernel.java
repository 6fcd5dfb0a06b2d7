package io.jqi.ptq;

import io.jqi.grid.VectorApi;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Samples}'s block error sum for the common case (unweighted MSE or MAE) with JDK 17's incubating Vector API:
 * the same eight partial sums as the scalar loop, as the lanes of eight-lane double accumulators, so the same bits.
 *
 * <p>Each float is widened to double before the difference, as in the scalar loop; the squares (or absolute values)
 * and the additions are rounded lane by lane in the same order. The kernel uses the CPU's preferred float species
 * (the GEMM and fake-quant kernels' too: JDK 17 compiles a mix of vector shapes poorly) and its double halves: with
 * 512-bit vectors, 16 floats feed one eight-lane accumulator twice; with 256-bit vectors, 8 floats feed two four-lane
 * accumulators once. Either way partial sum j holds the positions congruent to j mod 8, in ascending order. The
 * method is large enough that C2 compiles it on its own: inlined into a larger compilation, JDK 17's Vector API
 * code can lose its intrinsics (docs/performance.md#the-vector-api).
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
     * The eight partial sums of {@code |q[i] - x[i]|^p} (p = 2 when {@code squared}, else 1) over the positions
     * {@code from <= i < from + 16k} (largest such k) or, with 256-bit vectors, {@code from + 8k}; partial sum j
     * holds the positions {@code i - from} congruent to j mod 8, each added in ascending order; written to
     * {@code sums}. Returns the first position not summed.
     */
    static int partialSums(float[] q, float[] x, int from, int to, boolean squared, double[] sums) {
        DoubleVector low = DoubleVector.zero(DOUBLES);
        DoubleVector high = DoubleVector.zero(DOUBLES);
        int i = from;
        for (int end = to - STEP; i <= end; i += STEP) {
            FloatVector fq = FloatVector.fromArray(FLOATS, q, i);
            FloatVector fx = FloatVector.fromArray(FLOATS, x, i);
            DoubleVector d0 = widen(fq, 0).sub(widen(fx, 0));
            DoubleVector d1 = widen(fq, 1).sub(widen(fx, 1));
            DoubleVector e0 = squared ? d0.mul(d0) : d0.abs();
            DoubleVector e1 = squared ? d1.mul(d1) : d1.abs();
            if (STEP == 16) {
                low = low.add(e0).add(e1);
            } else {
                low = low.add(e0);
                high = high.add(e1);
            }
        }
        if (STEP == 16) {
            low.intoArray(sums, 0);
        } else {
            low.intoArray(sums, 0);
            high.intoArray(sums, 4);
        }
        return i;
    }

    private static DoubleVector widen(FloatVector v, int part) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, DOUBLES, part);
    }
}
