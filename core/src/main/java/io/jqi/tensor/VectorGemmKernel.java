package io.jqi.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CpuGemm}'s inner product with JDK 17's incubating Vector API: the same sums, in the same order, with the
 * accumulators held in registers instead of memory.
 *
 * <p>The scalar micro-kernels load and store their accumulator rows for every two depths, so they run at the speed
 * of the level-1 cache, not of the arithmetic. Here a tile of eight rows by two vectors of columns keeps its sixteen
 * accumulators in registers for the whole depth slice: per depth, two panel loads and eight scalar broadcasts feed
 * sixteen multiplies and sixteen adds (19 of AVX-512's 32 registers). Four-row and one-row tiles take the rest. Every lane computes {@code c = c + s * v} with a separate
 * multiply and add, each rounded to float, for ascending depth, exactly as the scalar loop does, so the two paths
 * give the same bits (docs/performance.md#the-gemm-kernel).
 *
 * <p>Used only when {@link VectorApi#ENABLED}; the JVM resolves this class's references to the incubating module
 * lazily, so without it the class is simply never loaded.
 */
final class VectorGemmKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int TILE_COLS = 2 * LANES;

    private VectorGemmKernel() {
    }

    /** {@code acc[r][l] += sum_p s[r * depth + p] * panel[p][l]}, p ascending, for every row and column. */
    static void accumulate(float[] s, float[][] panel, float[][] acc, int rows, int depth, int cols) {
        int vectorCols = cols - cols % TILE_COLS;
        for (int l = 0; l < vectorCols; l += TILE_COLS) {
            // Column tiles outermost: the tile's slice of the panel (depth x TILE_COLS floats) stays in the
            // level-1 cache while every row group streams past it.
            int r = 0;
            for (; r + 8 <= rows; r += 8) {
                eightRows(s, panel, acc, r, depth, l);
            }
            if (r + 4 <= rows) {
                fourRows(s, panel, acc, r, depth, l);
                r += 4;
            }
            for (; r < rows; r++) {
                oneRow(s, panel, acc[r], r * depth, depth, l);
            }
        }
        if (vectorCols < cols) {
            for (int r = 0; r < rows; r++) {
                float[] c = acc[r];
                int so = r * depth;
                for (int p = 0; p < depth; p++) {
                    float a = s[so + p];
                    float[] v = panel[p];
                    for (int l = vectorCols; l < cols; l++) {
                        c[l] = c[l] + a * v[l];
                    }
                }
            }
        }
    }

    private static void eightRows(float[] s, float[][] panel, float[][] acc, int r, int depth, int l) {
        int h = l + LANES;
        FloatVector c00 = FloatVector.fromArray(SPECIES, acc[r], l);
        FloatVector c01 = FloatVector.fromArray(SPECIES, acc[r], h);
        FloatVector c10 = FloatVector.fromArray(SPECIES, acc[r + 1], l);
        FloatVector c11 = FloatVector.fromArray(SPECIES, acc[r + 1], h);
        FloatVector c20 = FloatVector.fromArray(SPECIES, acc[r + 2], l);
        FloatVector c21 = FloatVector.fromArray(SPECIES, acc[r + 2], h);
        FloatVector c30 = FloatVector.fromArray(SPECIES, acc[r + 3], l);
        FloatVector c31 = FloatVector.fromArray(SPECIES, acc[r + 3], h);
        FloatVector c40 = FloatVector.fromArray(SPECIES, acc[r + 4], l);
        FloatVector c41 = FloatVector.fromArray(SPECIES, acc[r + 4], h);
        FloatVector c50 = FloatVector.fromArray(SPECIES, acc[r + 5], l);
        FloatVector c51 = FloatVector.fromArray(SPECIES, acc[r + 5], h);
        FloatVector c60 = FloatVector.fromArray(SPECIES, acc[r + 6], l);
        FloatVector c61 = FloatVector.fromArray(SPECIES, acc[r + 6], h);
        FloatVector c70 = FloatVector.fromArray(SPECIES, acc[r + 7], l);
        FloatVector c71 = FloatVector.fromArray(SPECIES, acc[r + 7], h);
        int s0 = r * depth;
        int s1 = s0 + depth;
        int s2 = s1 + depth;
        int s3 = s2 + depth;
        int s4 = s3 + depth;
        int s5 = s4 + depth;
        int s6 = s5 + depth;
        int s7 = s6 + depth;
        for (int p = 0; p < depth; p++) {
            float[] row = panel[p];
            FloatVector v0 = FloatVector.fromArray(SPECIES, row, l);
            FloatVector v1 = FloatVector.fromArray(SPECIES, row, h);
            FloatVector a = FloatVector.broadcast(SPECIES, s[s0 + p]);
            c00 = c00.add(a.mul(v0));
            c01 = c01.add(a.mul(v1));
            a = FloatVector.broadcast(SPECIES, s[s1 + p]);
            c10 = c10.add(a.mul(v0));
            c11 = c11.add(a.mul(v1));
            a = FloatVector.broadcast(SPECIES, s[s2 + p]);
            c20 = c20.add(a.mul(v0));
            c21 = c21.add(a.mul(v1));
            a = FloatVector.broadcast(SPECIES, s[s3 + p]);
            c30 = c30.add(a.mul(v0));
            c31 = c31.add(a.mul(v1));
            a = FloatVector.broadcast(SPECIES, s[s4 + p]);
            c40 = c40.add(a.mul(v0));
            c41 = c41.add(a.mul(v1));
            a = FloatVector.broadcast(SPECIES, s[s5 + p]);
            c50 = c50.add(a.mul(v0));
            c51 = c51.add(a.mul(v1));
            a = FloatVector.broadcast(SPECIES, s[s6 + p]);
            c60 = c60.add(a.mul(v0));
            c61 = c61.add(a.mul(v1));
            a = FloatVector.broadcast(SPECIES, s[s7 + p]);
            c70 = c70.add(a.mul(v0));
            c71 = c71.add(a.mul(v1));
        }
        c00.intoArray(acc[r], l);
        c01.intoArray(acc[r], h);
        c10.intoArray(acc[r + 1], l);
        c11.intoArray(acc[r + 1], h);
        c20.intoArray(acc[r + 2], l);
        c21.intoArray(acc[r + 2], h);
        c30.intoArray(acc[r + 3], l);
        c31.intoArray(acc[r + 3], h);
        c40.intoArray(acc[r + 4], l);
        c41.intoArray(acc[r + 4], h);
        c50.intoArray(acc[r + 5], l);
        c51.intoArray(acc[r + 5], h);
        c60.intoArray(acc[r + 6], l);
        c61.intoArray(acc[r + 6], h);
        c70.intoArray(acc[r + 7], l);
        c71.intoArray(acc[r + 7], h);
    }

    private static void fourRows(float[] s, float[][] panel, float[][] acc, int r, int depth, int l) {
        int h = l + LANES;
        FloatVector c00 = FloatVector.fromArray(SPECIES, acc[r], l);
        FloatVector c01 = FloatVector.fromArray(SPECIES, acc[r], h);
        FloatVector c10 = FloatVector.fromArray(SPECIES, acc[r + 1], l);
        FloatVector c11 = FloatVector.fromArray(SPECIES, acc[r + 1], h);
        FloatVector c20 = FloatVector.fromArray(SPECIES, acc[r + 2], l);
        FloatVector c21 = FloatVector.fromArray(SPECIES, acc[r + 2], h);
        FloatVector c30 = FloatVector.fromArray(SPECIES, acc[r + 3], l);
        FloatVector c31 = FloatVector.fromArray(SPECIES, acc[r + 3], h);
        int s0 = r * depth;
        int s1 = s0 + depth;
        int s2 = s1 + depth;
        int s3 = s2 + depth;
        for (int p = 0; p < depth; p++) {
            float[] row = panel[p];
            FloatVector v0 = FloatVector.fromArray(SPECIES, row, l);
            FloatVector v1 = FloatVector.fromArray(SPECIES, row, h);
            FloatVector a = FloatVector.broadcast(SPECIES, s[s0 + p]);
            c00 = c00.add(a.mul(v0));
            c01 = c01.add(a.mul(v1));
            a = FloatVector.broadcast(SPECIES, s[s1 + p]);
            c10 = c10.add(a.mul(v0));
            c11 = c11.add(a.mul(v1));
            a = FloatVector.broadcast(SPECIES, s[s2 + p]);
            c20 = c20.add(a.mul(v0));
            c21 = c21.add(a.mul(v1));
            a = FloatVector.broadcast(SPECIES, s[s3 + p]);
            c30 = c30.add(a.mul(v0));
            c31 = c31.add(a.mul(v1));
        }
        c00.intoArray(acc[r], l);
        c01.intoArray(acc[r], h);
        c10.intoArray(acc[r + 1], l);
        c11.intoArray(acc[r + 1], h);
        c20.intoArray(acc[r + 2], l);
        c21.intoArray(acc[r + 2], h);
        c30.intoArray(acc[r + 3], l);
        c31.intoArray(acc[r + 3], h);
    }

    private static void oneRow(float[] s, float[][] panel, float[] c, int so, int depth, int l) {
        int h = l + LANES;
        FloatVector c0 = FloatVector.fromArray(SPECIES, c, l);
        FloatVector c1 = FloatVector.fromArray(SPECIES, c, h);
        for (int p = 0; p < depth; p++) {
            float[] row = panel[p];
            FloatVector a = FloatVector.broadcast(SPECIES, s[so + p]);
            c0 = c0.add(a.mul(FloatVector.fromArray(SPECIES, row, l)));
            c1 = c1.add(a.mul(FloatVector.fromArray(SPECIES, row, h)));
        }
        c0.intoArray(c, l);
        c1.intoArray(c, h);
    }
}
