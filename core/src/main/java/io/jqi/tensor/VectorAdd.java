package io.jqi.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code dst[d + i] += src[s + i]} with JDK 17's incubating Vector API. C2 does not vectorize the plain loop: with the
 * two arrays at different offsets it cannot rule out that they are one array overlapping at a short distance
 * ({@link CpuGemm} says more). The sums are the plain loop's, one float addition per element.
 *
 * <p>Used only when {@link VectorApi#ENABLED}; the last values that do not fill a vector are added one at a time.
 */
final class VectorAdd {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;

    private VectorAdd() {
    }

    /** Adds {@code src[s, s + n)} onto {@code dst[d, d + n)}. */
    static void addInto(float[] dst, int d, float[] src, int s, int n) {
        int i = 0;
        for (; i <= n - FLOATS.length(); i += FLOATS.length()) {
            FloatVector.fromArray(FLOATS, dst, d + i).add(FloatVector.fromArray(FLOATS, src, s + i))
                    .intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] += src[s + i];
        }
    }
}
