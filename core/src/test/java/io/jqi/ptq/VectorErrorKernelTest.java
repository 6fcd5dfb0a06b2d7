package io.jqi.ptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The Vector API error sums against the scalar loop they replace: same bits, not close values. */
class VectorErrorKernelTest {
    /** Eight partial sums by position mod 8 over the whole vectors the kernel covers. */
    private static double[] scalarSums(float[] q, float[] x, int from, int to, boolean squared) {
        double[] s = new double[8];
        int step = FloatVector.SPECIES_PREFERRED.length();
        int limit = from + (to - from) / step * step;
        for (int i = from; i < limit; i += 8) {
            for (int j = 0; j < 8; j++) {
                double d = (double) q[i + j] - x[i + j];
                s[j] += squared ? d * d : Math.abs(d);
            }
        }
        return s;
    }

    private static float[] wide(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(60) - 30));
        }
        return v;
    }

    @Test
    void theKernelRunsInTests() {
        assertTrue(VectorErrorKernel.RUNS, "tests should run with --add-modules jdk.incubator.vector on a CPU with "
                + "256- or 512-bit vectors");
    }

    @Test
    void squaredAndAbsoluteSumsEqualTheScalarLoopBitForBit() {
        Random random = new Random(11);
        float[] q = wide(random, 1003);
        float[] x = wide(random, 1003);
        for (boolean squared : new boolean[] {true, false}) {
            for (int from : new int[] {0, 3}) {
                double[] sums = new double[8];
                int next = VectorErrorKernel.partialSums(q, x, from, q.length, squared, sums);
                int step = FloatVector.SPECIES_PREFERRED.length();
                assertEquals(from + (q.length - from) / step * step, next);
                assertArrayEquals(scalarSums(q, x, from, q.length, squared), sums, 0.0,
                        "squared " + squared + ", from " + from);
            }
        }
    }
}
