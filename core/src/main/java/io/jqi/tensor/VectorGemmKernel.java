package io.jqi.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CpuGemm}'s inner product with JDK 17's incubating Vector API: the same sums, in the same order, with the
 * accumulators held in registers instead of memory.
 *
 * <p>The scalar micro-kernels load and store their accumulator rows for every two depths, so they run at the speed
 * of the level-1 cache, not of the arithmetic. Here a tile of six rows by two vectors of columns keeps its twelve
 * accumulators in registers for the whole depth slice: per depth, two panel loads and six scalar broadcasts feed
 * twelve fused multiply-adds. The last, partial tiles of columns and of rows run whole over the scratch's spare
 * length; plain loops take what is left when there is none.
 * Every lane computes {@code c = fma(s, v, c)}, rounded to float once, for ascending depth, exactly as the scalar
 * loop does, so the two paths give the same bits (docs/performance.md#the-vector-api).
 *
 * <p>Used only when {@link VectorApi#ENABLED}; the JVM resolves this class's references to the incubating module
 * lazily, so without it the class is simply never loaded.
 *
 * <p>Every vector load and store stays within its array by the checks of {@link #accumulate} (the padded tiles run
 * only where the rows have room). The JVM checks each access again unless started with
 * {@code -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0}, and here it cannot hoist those checks out of the depth
 * loop, because every panel row is an array of its own: they cost a quarter of the kernel's time. {@code ./jqi} and
 * the benchmarks start the JVM with the flag; the tests run without it, so an access outside an array fails them
 * (docs/performance.md#the-vector-api).
 */
final class VectorGemmKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int TILE_COLS = 2 * LANES;
    /** Rows per tile: twelve accumulators hide the fused multiply-add's latency on two pipes (docs/performance.md). */
    static final int TILE_ROWS = 6;

    private VectorGemmKernel() {
    }

    /**
     * {@code acc[r][l] = fma(s[r * depth + p], panel[p][from[p] + l], acc[r][l])}, p ascending, for every row and
     * column: panel row p starts at {@code from[p]} of its array, so the rows may be stretches of one array read in
     * place ({@link CpuGemm.RowsAt}). Values in {@code acc} past column {@code cols} or row {@code rows} are
     * overwritten with meaningless ones.
     */
    static void accumulate(float[] s, float[][] panel, int[] from, float[][] acc, int rows, int depth, int cols) {
        // A partial last tile runs whole when the rows are long enough (CpuGemm's workspace rows are PANEL_WIDTH, a
        // multiple of the tile): its lanes past cols compute on whatever the rows hold there, and lanes never mix,
        // so the columns that count get their exact bits and the rest is never read. Without this, a convolution
        // image of 28 x 28 (784 = 24 tiles of 32 + 16 columns) spent a sixth of its time in the plain loops.
        int padded = (cols + TILE_COLS - 1) / TILE_COLS * TILE_COLS;
        boolean roomy = rows > 0 && padded <= acc[0].length;
        for (int p = 0; p < depth && roomy; p++) {
            roomy = from[p] + padded <= panel[p].length;
        }
        int vectorCols = roomy ? padded : cols - cols % TILE_COLS;
        // Likewise a partial last group of rows runs whole when the scratch has the rows: rows never mix either.
        int paddedRows = (rows + TILE_ROWS - 1) / TILE_ROWS * TILE_ROWS;
        int vectorRows = paddedRows <= acc.length && paddedRows * depth <= s.length ? paddedRows
                : rows - rows % TILE_ROWS;
        for (int l = 0; l < vectorCols; l += TILE_COLS) {
            // Column tiles outermost: the tile's slice of the panel (depth x TILE_COLS floats) stays in the
            // level-1 cache while every row group streams past it.
            for (int r = 0; r < vectorRows; r += TILE_ROWS) {
                sixRows(s, panel, from, acc, r, depth, l);
            }
        }
        // The last rows and columns, when the scratch lacks room to run them whole, in plain loops. JDK 17's C2
        // intrinsifies Vector API calls only while a compilation stays within its inlining budget; past it, some
        // calls stay real calls and every vector is boxed, 10 to 20 times slower. A small one-row tile, inlined
        // into larger compilations, did that and cost the LSQ cnn step a third of its speed; an eight-row tile
        // with separate multiplies and adds (42 vector calls per depth) did it within itself and slowed a ResNet-18
        // step twentyfold. So the tile is one size, too large to be inlined and small enough to compile whole:
        // six rows of fused multiply-adds make 20 calls per depth.
        scalar(s, panel, from, acc, Math.min(vectorRows, rows), rows, depth, 0, cols);
        scalar(s, panel, from, acc, 0, Math.min(vectorRows, rows), depth, Math.min(vectorCols, cols), cols);
    }

    /** Rows {@code [r0, r1)}, columns {@code [l0, l1)}, one fused multiply-add at a time, p ascending. */
    private static void scalar(float[] s, float[][] panel, int[] from, float[][] acc, int r0, int r1, int depth,
            int l0, int l1) {
        if (l0 >= l1) {
            // No columns left: without this the loops below still walk every row and depth, which cost a narrow
            // product (the weight gradient's, 64 columns) half as much again as its tiles.
            return;
        }
        for (int r = r0; r < r1; r++) {
            float[] c = acc[r];
            int so = r * depth;
            for (int p = 0; p < depth; p++) {
                float a = s[so + p];
                float[] v = panel[p];
                int o = from[p];
                for (int l = l0; l < l1; l++) {
                    c[l] = Math.fma(a, v[o + l], c[l]);
                }
            }
        }
    }

    private static void sixRows(float[] s, float[][] panel, int[] from, float[][] acc, int r, int depth, int l) {
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
        int s0 = r * depth;
        int s1 = s0 + depth;
        int s2 = s1 + depth;
        int s3 = s2 + depth;
        int s4 = s3 + depth;
        int s5 = s4 + depth;
        for (int p = 0; p < depth; p++) {
            float[] row = panel[p];
            int o = from[p];
            FloatVector v0 = FloatVector.fromArray(SPECIES, row, o + l);
            FloatVector v1 = FloatVector.fromArray(SPECIES, row, o + h);
            FloatVector a = FloatVector.broadcast(SPECIES, s[s0 + p]);
            c00 = a.fma(v0, c00);
            c01 = a.fma(v1, c01);
            a = FloatVector.broadcast(SPECIES, s[s1 + p]);
            c10 = a.fma(v0, c10);
            c11 = a.fma(v1, c11);
            a = FloatVector.broadcast(SPECIES, s[s2 + p]);
            c20 = a.fma(v0, c20);
            c21 = a.fma(v1, c21);
            a = FloatVector.broadcast(SPECIES, s[s3 + p]);
            c30 = a.fma(v0, c30);
            c31 = a.fma(v1, c31);
            a = FloatVector.broadcast(SPECIES, s[s4 + p]);
            c40 = a.fma(v0, c40);
            c41 = a.fma(v1, c41);
            a = FloatVector.broadcast(SPECIES, s[s5 + p]);
            c50 = a.fma(v0, c50);
            c51 = a.fma(v1, c51);
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
    }
}
