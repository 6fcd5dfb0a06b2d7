package io.jqi.grid;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AffineGrid#fakeQuantRange}'s element loop with JDK 17's incubating Vector API: {@link AffineGrid#fakeQuant} on a
 * vector of elements at a time, with the same float operations, so the same bits.
 *
 * <p>The scalar loop rounds through {@code Math.rint} on a double, which C2 does not vectorize. Here the code is
 * rounded in float by adding and subtracting {@code 1.5 * 2^23}: for {@code |q| <= 2^22} the sum lies where floats
 * are the integers, so the addition itself rounds half to even, and the subtraction is exact. That is
 * {@code rint(q)} but for the sign of a zero result, which the following {@code + zeroPoint} erases (the output is
 * {@code (clamp(code) - zeroPoint) * step} either way). Larger {@code |q|} round wrongly but stay beyond the grid's
 * ends, so the clamp gives the same code, provided {@code |qmin|, |qmax|} and the zero point are well inside
 * {@code 2^22} ({@link #handles}); NaN and infinities pass through as in the scalar formula. {@code max}, {@code min}
 * and the arithmetic are lanewise {@code Math.max}, {@code Math.min} and IEEE float operations
 * ({@code VectorFakeQuantKernelTest} compares bits on a sweep of every exponent).
 *
 * <p>Only those operations are used, and the method is kept too large to be inlined: JDK 17's C2 intrinsifies
 * Vector API calls only within its inlining budget, and masks, lane reinterpretation or inlining into a larger
 * compilation each made this loop fall back to boxed library code (docs/performance.md#the-vector-api).
 *
 * <p>Used only when {@link VectorApi#ENABLED}.
 */
final class VectorFakeQuantKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Added and subtracted to round to an integer: 1.5 * 2^23. */
    private static final float ROUNDER = 0x1.8p23f;
    /** Grid ends and zero points up to this size keep every wrongly rounded large code beyond the ends. */
    private static final float LIMIT = 0x1p20f;

    private VectorFakeQuantKernel() {
    }

    /** Whether {@link #affine} gives the scalar formula's bits for this grid. */
    static boolean handles(float zeroPoint, float qmin, float qmax) {
        return Math.abs(zeroPoint) <= LIMIT && Math.abs(qmin) <= LIMIT && Math.abs(qmax) <= LIMIT;
    }

    /**
     * {@code out[i] = AffineGrid.fakeQuant(x[i], step, zeroPoint, qmin, qmax)} for {@code from <= i < to}, for grids
     * that {@link #handles}.
     */
    static void affine(float[] x, float[] out, int from, int to, float step, float zeroPoint, float qmin,
            float qmax) {
        // Four vectors per iteration: besides hiding the division's latency, it makes this method too large for C2
        // to inline into its callers, and inlined into a larger compilation it lost its intrinsics (see above).
        int lanes = SPECIES.length();
        int i = from;
        for (int end = to - 4 * lanes; i <= end; i += 4 * lanes) {
            FloatVector q0 = FloatVector.fromArray(SPECIES, x, i).div(step);
            FloatVector q1 = FloatVector.fromArray(SPECIES, x, i + lanes).div(step);
            FloatVector q2 = FloatVector.fromArray(SPECIES, x, i + 2 * lanes).div(step);
            FloatVector q3 = FloatVector.fromArray(SPECIES, x, i + 3 * lanes).div(step);
            q0.add(ROUNDER).sub(ROUNDER).add(zeroPoint).max(qmin).min(qmax).sub(zeroPoint).mul(step)
                    .intoArray(out, i);
            q1.add(ROUNDER).sub(ROUNDER).add(zeroPoint).max(qmin).min(qmax).sub(zeroPoint).mul(step)
                    .intoArray(out, i + lanes);
            q2.add(ROUNDER).sub(ROUNDER).add(zeroPoint).max(qmin).min(qmax).sub(zeroPoint).mul(step)
                    .intoArray(out, i + 2 * lanes);
            q3.add(ROUNDER).sub(ROUNDER).add(zeroPoint).max(qmin).min(qmax).sub(zeroPoint).mul(step)
                    .intoArray(out, i + 3 * lanes);
        }
        for (int end = to - lanes; i <= end; i += lanes) {
            FloatVector q = FloatVector.fromArray(SPECIES, x, i).div(step);
            q.add(ROUNDER).sub(ROUNDER).add(zeroPoint).max(qmin).min(qmax).sub(zeroPoint).mul(step).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = AffineGrid.fakeQuant(x[i], step, zeroPoint, qmin, qmax);
        }
    }
}
