package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * The blocked CPU GEMM against the plain triple loop. The kernel promises the triple loop's summation order
 * ({@code s = 0f; s = fma(a, b, s)} for ascending p), so results must be bit-identical to it, not merely close.
 */
class CpuGemmTest {
    private static final int[] ODD = {1, 3, 17, 63, 65, 129};

    /** The contract, spelled out: one float accumulator per element, fused multiply-adds in ascending p. */
    private static float[] reference(float[] x, float[] y, int batch, int m, int k, int n, boolean ta, boolean tb,
            int aStride, int bStride) {
        float[] out = new float[batch * m * n];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        float a = ta ? x[b * aStride + p * m + i] : x[b * aStride + i * k + p];
                        float v = tb ? y[b * bStride + j * k + p] : y[b * bStride + p * n + j];
                        s = Math.fma(a, v, s);
                    }
                    out[(b * m + i) * n + j] = s;
                }
            }
        }
        return out;
    }

    private static float[] random(Random random, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = random.nextFloat() * 2f - 1f;
        }
        return v;
    }

    /** Runs the kernel and the reference on random operands and requires identical bits. */
    private static void check(Random random, int batch, int m, int k, int n, boolean ta, boolean tb, boolean
            broadcastA, boolean broadcastB) {
        int aStride = broadcastA ? 0 : m * k;
        int bStride = broadcastB ? 0 : k * n;
        float[] x = random(random, (broadcastA ? 1 : batch) * m * k);
        float[] y = random(random, (broadcastB ? 1 : batch) * k * n);
        float[] expected = reference(x, y, batch, m, k, n, ta, tb, aStride, bStride);
        float[] actual = CpuGemm.multiply(x, y, batch, m, k, n, ta, tb, aStride, bStride);
        assertArrayEquals(expected, actual, () -> String.format("batch %d, %dx%dx%d, ta %b, tb %b, broadcast %b/%b",
                batch, m, k, n, ta, tb, broadcastA, broadcastB));
    }

    @Test
    void oddSizesMatchTheTripleLoopBitForBitForAllTransposes() {
        Random random = new Random(1);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int m : ODD) {
                    for (int k : ODD) {
                        for (int n : ODD) {
                            check(random, 1, m, k, n, ta, tb, false, false);
                        }
                    }
                }
            }
        }
    }

    @Test
    void blockBoundariesMatchTheTripleLoop() {
        // Around the panel width (n), the panel depth (k), the unit height (m), in both the normal and the
        // swapped (short n, long m) arrangement, with depths that leave every remainder modulo 4.
        int[][] shapes = {
            {2, 5, CpuGemm.PANEL_WIDTH - 1}, {3, 7, CpuGemm.PANEL_WIDTH}, {5, 9, CpuGemm.PANEL_WIDTH + 1},
            {4, CpuGemm.PANEL_DEPTH - 1, 130}, {4, CpuGemm.PANEL_DEPTH, 131}, {3, CpuGemm.PANEL_DEPTH + 1, 129},
            {2, 2 * CpuGemm.PANEL_DEPTH + 2, 140}, {3, 2 * CpuGemm.PANEL_DEPTH + 3, 3},
            {CpuGemm.ROWS_PER_UNIT - 1, 6, 200}, {CpuGemm.ROWS_PER_UNIT + 1, 6, 200},
            {2 * CpuGemm.ROWS_PER_UNIT + 1, 10, 130},
            // swapped: n short, m long (vector dimension m crosses the panel width, scalar rows cross a unit)
            {CpuGemm.PANEL_WIDTH + 3, 11, 5}, {300, 33, CpuGemm.ROWS_PER_UNIT + 3}, {130, 129, 127},
            {600, 20, 1}, {1, 300, 1}, {1, 40, 600}, {600, 40, 1},
        };
        Random random = new Random(2);
        for (int[] s : shapes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    check(random, 1, s[0], s[1], s[2], ta, tb, false, false);
                }
            }
        }
    }

    @Test
    void batchesAndBroadcastStrides() {
        Random random = new Random(3);
        int[][] shapes = {{3, 4, 5}, {17, 9, 65}, {70, 12, 8}, {1, 1, 1}, {8, 8, 8}};
        for (int[] s : shapes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    check(random, 5, s[0], s[1], s[2], ta, tb, false, false);
                    check(random, 5, s[0], s[1], s[2], ta, tb, true, false);
                    check(random, 5, s[0], s[1], s[2], ta, tb, false, true);
                    check(random, 4, s[0], s[1], s[2], ta, tb, true, true);
                }
            }
        }
        // Many small products, as a convolution lowered to im2col gives (the parallel path over batch entries).
        check(random, 300, 9, 27, 16, false, false, false, true);
        check(random, 64, 49, 72, 8, false, true, false, false);
    }

    @Test
    void zeroSizedDimensions() {
        assertEquals(0, CpuGemm.multiply(new float[0], new float[12], 1, 0, 3, 4, false, false, 0, 12).length);
        assertEquals(0, CpuGemm.multiply(new float[12], new float[0], 1, 4, 3, 0, false, true, 12, 0).length);
        assertEquals(0, CpuGemm.multiply(new float[0], new float[0], 0, 4, 3, 5, false, false, 12, 15).length);
        // k = 0: an empty sum is +0 everywhere.
        float[] c = CpuGemm.multiply(new float[0], new float[0], 2, 3, 0, 4, true, false, 0, 0);
        assertArrayEquals(new float[2 * 3 * 4], c);
        for (float v : c) {
            assertEquals(0, Float.floatToRawIntBits(v));
        }
    }

    @Test
    void specialValuesPropagateAsInTheTripleLoop() {
        Random random = new Random(4);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.MIN_VALUE};
        for (int[] s : new int[][] {{5, 7, 9}, {33, 70, 300}, {300, 13, 6}}) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    int m = s[0];
                    int k = s[1];
                    int n = s[2];
                    float[] x = random(random, m * k);
                    float[] y = random(random, k * n);
                    for (int i = 0; i < x.length; i += 11) {
                        x[i] = specials[random.nextInt(specials.length)];
                    }
                    for (int i = 0; i < y.length; i += 13) {
                        y[i] = specials[random.nextInt(specials.length)];
                    }
                    float[] expected = reference(x, y, 1, m, k, n, ta, tb, 0, 0);
                    float[] actual = CpuGemm.multiply(x, y, 1, m, k, n, ta, tb, 0, 0);
                    // assertArrayEquals compares floatToIntBits: NaN equals NaN, and -0 differs from +0.
                    assertArrayEquals(expected, actual);
                }
            }
        }
        // Negative zero products start from +0, so an all-(-0) row sums to +0, as in the triple loop.
        float[] c = CpuGemm.multiply(new float[] {-0f, -0f}, new float[] {1f, 1f}, 1, 1, 2, 1, false, false, 0, 0);
        assertEquals(0, Float.floatToRawIntBits(c[0]));
    }

    @Test
    void accurateToFloatRoundingOfTheExactSum() {
        Random random = new Random(5);
        int m = 40;
        int k = 1000;
        int n = 150;
        float[] x = random(random, m * k);
        float[] y = random(random, k * n);
        float[] c = CpuGemm.multiply(x, y, 1, m, k, n, false, false, 0, 0);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = 0;
                double magnitude = 0;
                for (int p = 0; p < k; p++) {
                    double t = (double) x[i * k + p] * y[p * n + j];
                    exact += t;
                    magnitude += Math.abs(t);
                }
                // The classic bound for a recursive sum of k rounded products: k * 2^-24 * sum |a b| (and far
                // less in practice).
                double bound = k * Math.ulp(1f) / 2 * magnitude;
                double err = Math.abs(c[i * n + j] - exact);
                if (err > bound) {
                    fail("element " + i + "," + j + ": error " + err + " above " + bound);
                }
            }
        }
    }

    @Test
    void bitIdenticalWhateverTheParallelism() throws Exception {
        Random random = new Random(6);
        int[][] shapes = {{300, 200, 257}, {513, 70, 40}, {64, 129, 64}};
        for (int[] s : shapes) {
            int batch = 2;
            int m = s[0];
            int k = s[1];
            int n = s[2];
            float[] x = random(random, batch * m * k);
            float[] y = random(random, k * n);
            float[] common = CpuGemm.multiply(x, y, batch, m, k, n, false, true, m * k, 0);
            for (int threads : new int[] {1, 3}) {
                ForkJoinPool pool = new ForkJoinPool(threads);
                try {
                    float[] other = pool.submit(() -> CpuGemm.multiply(x, y, batch, m, k, n, false, true, m * k, 0))
                            .get();
                    assertArrayEquals(common, other, "pool of " + threads);
                } finally {
                    pool.shutdown();
                }
            }
            for (int run = 0; run < 3; run++) {
                assertArrayEquals(common, CpuGemm.multiply(x, y, batch, m, k, n, false, true, m * k, 0));
            }
            assertArrayEquals(reference(x, y, batch, m, k, n, false, true, m * k, 0), common);
        }
    }

    @Test
    void theVectorApiKernelIsWhatTestsRun() {
        // The build runs tests with --add-modules jdk.incubator.vector (the parent POM's argLine), so the other tests
        // here check the Vector API kernel; this one keeps a lost flag from silently testing the scalar path alone.
        assertTrue(VectorApi.ENABLED, "tests should run with --add-modules jdk.incubator.vector");
    }

    @Test
    void theVectorApiKernelAddsTheSameProductsInTheSameOrderAsTheScalarOne() {
        Random random = new Random(5);
        // Rows around the six-row tile, columns around the two-vector tile (any vector length up to 16 floats) and
        // the panel width, depths odd and even; scratch sized to the rows, and scratch with spare rows full of NaN
        // (as CpuGemm's workspace has), over which the vector kernel runs its last tile whole.
        for (boolean spare : new boolean[] {false, true}) {
            for (int rows : new int[] {1, 3, 5, 6, 7, 11, 12, 13, 17, CpuGemm.ROWS_PER_UNIT}) {
                for (int cols : new int[] {1, 31, 32, 33, 100, CpuGemm.PANEL_WIDTH}) {
                    for (int depth : new int[] {1, 2, 7, CpuGemm.PANEL_DEPTH}) {
                        int scratchRows = spare ? CpuGemm.ROWS_PER_UNIT : rows;
                        float[] scalars = random(random, scratchRows * depth);
                        Arrays.fill(scalars, rows * depth, scalars.length, Float.NaN);
                        float[][] panel = new float[depth][];
                        for (int p = 0; p < depth; p++) {
                            panel[p] = random(random, CpuGemm.PANEL_WIDTH);
                        }
                        float[][] scalarAcc = new float[rows][];
                        float[][] vectorAcc = new float[scratchRows][];
                        for (int r = 0; r < scratchRows; r++) {
                            vectorAcc[r] = random(random, CpuGemm.PANEL_WIDTH);
                            if (r < rows) {
                                scalarAcc[r] = vectorAcc[r].clone();
                            }
                        }
                        CpuGemm.accumulate(scalars, panel, scalarAcc, rows, depth, cols);
                        VectorGemmKernel.accumulate(scalars, panel, new int[depth], vectorAcc, rows, depth, cols);
                        for (int r = 0; r < rows; r++) {
                            // Past cols the vector kernel may leave anything (its last tile runs whole).
                            assertArrayEquals(Arrays.copyOf(scalarAcc[r], cols), Arrays.copyOf(vectorAcc[r], cols),
                                    "rows " + rows + ", cols " + cols + ", depth " + depth + ", row " + r
                                            + ", spare " + spare);
                        }
                    }
                }
            }
        }
    }

    /**
     * A right-hand operand read in place from overlapping stretches of one array gives the bits of the same matrix
     * stored: shapes around the tiles and panels, on one thread and spread, with the stretches ending at the array's
     * last element (no room for the last tile to run whole) and with slack after it.
     */
    @Test
    void rowsReadInPlaceGiveTheProductOfTheMatrixTheyForm() {
        Random random = new Random(13);
        for (int slack : new int[] {0, 40, 64}) {
            for (int[] mkn : new int[][] {{5, 9, 31}, {64, 70, 300}, {140, 130, 33}, {7, 1, 520}}) {
                int m = mkn[0];
                int k = mkn[1];
                int n = mkn[2];
                int[] offsets = new int[k];
                for (int p = 0; p < k; p++) {
                    offsets[p] = random.nextInt(3 * k + 1);
                }
                int end = Arrays.stream(offsets).max().getAsInt() + n;
                float[] values = random(random, end + slack);
                float[] b = new float[k * n];
                for (int p = 0; p < k; p++) {
                    System.arraycopy(values, offsets[p], b, p * n, n);
                }
                float[] a = random(random, m * k);
                float[] expected = reference(a, b, 1, m, k, n, false, false, 0, 0);
                for (boolean parallel : new boolean[] {false, true}) {
                    float[] actual = new float[m * n + 3];
                    CpuGemm.multiply(new CpuGemm.Operand(a, 0, 0, false), new CpuGemm.RowsAt(values, offsets), m, k,
                            n, actual, 3, false, parallel);
                    assertArrayEquals(expected, Arrays.copyOfRange(actual, 3, actual.length),
                            m + "x" + k + "x" + n + ", slack " + slack + ", parallel " + parallel);
                }
                float[][] panel = new float[k][n];
                new CpuGemm.RowsAt(values, offsets).pack(0, k, 0, n, panel);
                for (int p = 0; p < k; p++) {
                    assertArrayEquals(Arrays.copyOfRange(b, p * n, p * n + n), panel[p], "packed row " + p);
                }
            }
        }
    }

    /**
     * An accumulating product over the last part of k, into a product over the first part, is the product over all of
     * k: each element's sum goes on where it stopped. Offsets into the operands and the output, both layouts (the
     * transposed one when n is short and m long), the plain loops of tiny products, and the serial path.
     */
    @Test
    void accumulatingOverASplitDepthGivesTheWholeProductBitForBit() {
        Random random = new Random(11);
        int[][] shapes = {{3, 5, 4}, {64, 200, 300}, {300, 77, 16}, {17, 129, 65}};
        for (int[] shape : shapes) {
            int m = shape[0];
            int k = shape[1];
            int n = shape[2];
            for (int split : new int[] {1, k / 2, k - 1}) {
                for (boolean parallel : new boolean[] {true, false}) {
                    // B is op(B) = [k, n] given transposed, [n, k]; the first part of A comes after 7 other values.
                    float[] a = random(random, m * k);
                    float[] b = random(random, n * k);
                    float[] expected = reference(a, b, 1, m, k, n, false, true, 0, 0);
                    float[] aFirst = new float[7 + m * split];
                    float[] aLast = new float[m * (k - split)];
                    float[] bFirst = new float[n * split];
                    float[] bLast = new float[n * (k - split)];
                    for (int i = 0; i < m; i++) {
                        System.arraycopy(a, i * k, aFirst, 7 + i * split, split);
                        System.arraycopy(a, i * k + split, aLast, i * (k - split), k - split);
                    }
                    for (int j = 0; j < n; j++) {
                        System.arraycopy(b, j * k, bFirst, j * split, split);
                        System.arraycopy(b, j * k + split, bLast, j * (k - split), k - split);
                    }
                    float[] out = random(random, 5 + m * n);
                    CpuGemm.multiply(new CpuGemm.Operand(aFirst, 7, 0, false), new CpuGemm.Operand(bFirst, 0, 0, true),
                            1, m, split, n, out, 5, false, parallel);
                    CpuGemm.multiply(new CpuGemm.Operand(aLast, 0, 0, false), new CpuGemm.Operand(bLast, 0, 0, true),
                            1, m, k - split, n, out, 5, true, parallel);
                    assertArrayEquals(expected, Arrays.copyOfRange(out, 5, out.length),
                            m + "x" + k + "x" + n + " split at " + split + ", parallel " + parallel);
                }
            }
        }
    }
}
