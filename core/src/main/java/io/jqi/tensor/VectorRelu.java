package io.jqi.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CpuBackend}'s ReLU and its gradient with JDK 17's incubating Vector API: a comparison and a blend per
 * vector, the same bits as the plain loops, which C2 does not vectorize (their selects compile to conditional moves
 * of one value at a time; 0.44 ns a value on one core, against 0.10 here). In the cnn training step of
 * {@code bench/}, the two loops took a tenth of the samples (docs/performance.md, ninth pass).
 *
 * <p>Used only when {@link VectorApi#ENABLED}; the last values that do not fill a vector go through the same
 * selects as a plain loop.
 */
final class VectorRelu {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;

    private VectorRelu() {
    }

    /** {@code out[i] = in[i] > 0 ? in[i] : +0} for i in {@code [from, to)}: -0 and NaN give +0. */
    static void forward(float[] in, float[] out, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(FLOATS);
        for (; i <= to - FLOATS.length(); i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, in, i);
            zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = in[i] > 0f ? in[i] : 0f;
        }
    }

    /**
     * {@code out[i] = dy[i] * (y[i] > 0 ? 1 : 0)} for i in {@code [from, to)}: the product's bits, so an infinite or
     * NaN gradient where the output is not positive still gives NaN, as the composed mask and product do.
     */
    static void gradient(float[] dy, float[] y, float[] out, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(FLOATS);
        for (; i <= to - FLOATS.length(); i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, y, i);
            FloatVector.fromArray(FLOATS, dy, i).mul(zero.blend(1f, v.compare(VectorOperators.GT, 0f)))
                    .intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = dy[i] * (y[i] > 0f ? 1f : 0f);
        }
    }
}
