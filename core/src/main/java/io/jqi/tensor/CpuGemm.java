package io.jqi.tensor;

import java.util.Arrays;

/**
 * Single-precision matrix products on the CPU: cache-blocked, packed, and written so that HotSpot's C2 compiler
 * vectorizes the inner loops.
 *
 * <p><b>Summation order.</b> Every output element is {@code c = 0f}, then {@code c = fma(a[i][p], b[p][j], c)} for
 * {@code p = 0, 1, ..., k-1} in ascending order: each step one fused multiply-add ({@link Math#fma}), rounded to
 * float once (docs/numerics.md#matrix-products says why fused). That is the order of the plain triple loop written
 * with {@code Math.fma}, so results are bit-identical to it, and they do not depend on the thread count or on
 * scheduling: blocking only changes when each step happens, never which operands it adds, and each output element is
 * computed by exactly one thread.
 *
 * <p><b>Shape of the computation.</b> The product is computed as {@code R} "scalar rows" times a {@code K x L}
 * "vector panel": normally rows of {@code op(A)} times {@code op(B)} (the vector dimension is {@code n}), or, when
 * {@code n} is short and {@code m} is long (the im2col shape of convolutions), the transposed product
 * {@code C^T = op(B)^T op(A)^T} whose vector dimension is {@code m}. Either way each output element sees the same
 * operands in the same order. Work is split into units of at most {@link #ROWS_PER_UNIT} scalar rows by
 * {@link #PANEL_WIDTH} vector columns of one batch entry (each unit runs on one thread). A unit packs, per slice of
 * {@code k} (the slices of equal depth, at most {@link #PANEL_DEPTH}), its panel into one array per row and its
 * scalars into a dense block, then
 * accumulates into per-row arrays three rows and two depths at a time: each panel value loaded serves three rows,
 * each accumulator loaded takes two products. Calls of at most {@link #TINY_MACS} multiply-adds skip all that and
 * use plain loops; calls under {@link #SERIAL_MACS} stay on the calling thread.
 *
 * <p><b>Why separate arrays, and why such small micro-kernels.</b> C2 (JDK 17) vectorizes
 * {@code acc[j] = fma(s, v[j], acc[j])} only when every array in the loop is indexed by the same expression: with
 * offsets such as {@code v[base + j]} it cannot rule out that {@code acc} and {@code v} are one array overlapping at
 * a short distance, and falls back to scalar code. Packing each panel row and each accumulator row into an array of
 * its own, indexed from 0, sidesteps that. C2 also stops vectorizing once a loop body passes a size limit (its
 * unrolling budget): three rows by two depths vectorizes, two rows by four depths or three by three does not, and
 * runs at scalar speed, about a fifth. Compare with {@code -XX:-UseSuperWord} before making a micro-kernel bigger.
 *
 * <p><b>The Vector API.</b> Those micro-kernels keep their accumulators in memory. When the JVM runs with
 * {@code --add-modules jdk.incubator.vector}, {@link VectorGemmKernel} replaces them: the same products and sums in
 * the same order, accumulators in registers, same bits, about twice as fast. {@link VectorApi} says which runs.
 */
final class CpuGemm {
    /** Vector columns per unit: the length of the vectorized inner loops. */
    static final int PANEL_WIDTH = 256;
    /** Depth of a packed panel: the slice of {@code k} packed at a time (64 x 256 floats = 64 KiB). */
    static final int PANEL_DEPTH = 64;
    /**
     * Most scalar rows per unit (a multiple of 6 and of 3, the micro-kernels' heights); packing costs about 1/rows.
     * Above 128 so that a 128-channel convolution packs each panel once: with 120, ResNet-18's 128-channel layers
     * packed every panel twice (docs/performance.md).
     */
    static final int ROWS_PER_UNIT = 132;
    /** Fewest scalar rows per unit when units are split further to give every thread work. */
    private static final int MIN_ROWS_PER_UNIT = 12;
    /** Calls of at most this many multiply-adds in all skip packing and use plain loops. */
    private static final long TINY_MACS = 2048;
    /** Below this many multiply-adds in all, one thread is faster than handing work to the fork-join pool. */
    private static final long SERIAL_MACS = 1 << 20;
    /** Below this vector length, a longer {@code m} is used as the vector dimension instead of {@code n}. */
    static final int SHORT_VECTOR = 128;

    private CpuGemm() {
    }

    /**
     * {@code batch} products {@code C[b] = op(A[b]) @ op(B[b])} of {@code [m, k] x [k, n]}; a batch stride of 0
     * broadcasts that operand.
     */
    static float[] multiply(float[] x, float[] y, int batch, int m, int k, int n, boolean transposeA,
            boolean transposeB, int aBatchStride, int bBatchStride) {
        float[] out = new float[batch * m * n];
        multiply(new Operand(x, 0, aBatchStride, transposeA), new Operand(y, 0, bBatchStride, transposeB), batch, m, k,
                n, out, 0, false, true);
        return out;
    }

    /** A matrix operand: {@code values} from {@code offset}, {@code batchStride} apart, transposed when asked. */
    record Operand(float[] values, int offset, int batchStride, boolean transposed) {
    }

    /**
     * A right-hand operand that is not stored as a matrix but written straight into the panels, such as the windows of
     * an image: no matrix of it is ever built, and what a product reads is in the cache it was just written to.
     */
    @FunctionalInterface
    interface PanelSource {
        /** {@code panel[p][l] = B[depth0 + p][col0 + l]} for p below {@code depth} and l below {@code cols}. */
        void pack(int depth0, int depth, int col0, int cols, float[][] panel);
    }

    /**
     * A right-hand operand whose rows are stretches of one array: {@code B[p][j] = values[offsets[p] + j]}. The Vector
     * API kernel reads them where they are, with no panel packed; the scalar kernels copy them into the panel. The
     * stretches may overlap, as the rows of a stride-1 convolution's im2col matrix are shifts of one padded image
     * ({@link PaddedImage}). A partial last tile of columns runs whole when {@code values} has room past every
     * stretch (the lanes past {@code n} are never read back), so callers leave some slack after the last one.
     */
    record RowsAt(float[] values, int[] offsets) implements PanelSource {
        @Override
        public void pack(int depth0, int depth, int col0, int cols, float[][] panel) {
            for (int p = 0; p < depth; p++) {
                System.arraycopy(values, offsets[depth0 + p] + col0, panel[p], 0, cols);
            }
        }
    }

    /**
     * {@code A @ B} written to {@code out} from {@code outOffset}, or with {@code accumulate} added to the values
     * there as {@link #multiply(Operand, Operand, int, int, int, int, float[], int, boolean, boolean)} does;
     * {@code B} ({@code k x n}) comes from {@code panels}: the same products in the same order as with B stored, so
     * the same bits.
     */
    static void multiply(Operand a, PanelSource panels, int m, int k, int n, float[] out, int outOffset,
            boolean accumulate, boolean parallel) {
        if (m * n == 0 || (k == 0 && accumulate)) {
            return;
        }
        Layout layout = new Layout(a.values, a.offset, 0, a.transposed ? 1 : k, a.transposed ? m : 1, null, 0, 0, 0,
                0, panels, m, n, n, 1);
        packed(layout, 1, k, out, outOffset, accumulate, parallel);
    }

    /**
     * {@code batch} products {@code op(A[b]) @ op(B[b])} written to {@code out} from {@code outOffset}, or, with
     * {@code accumulate}, added to the values there: each output element's sum then starts from the value in
     * {@code out} instead of 0 and goes on in the same order, so a product over {@code k = k1 + k2} equals a product
     * over the first {@code k1} followed by an accumulating one over the last {@code k2}, bit for bit. With
     * {@code parallel} false everything runs on the calling thread (for callers that already split their work over
     * threads).
     */
    static void multiply(Operand a, Operand b, int batch, int m, int k, int n, float[] out, int outOffset,
            boolean accumulate, boolean parallel) {
        if (batch * m * n == 0 || (k == 0 && accumulate)) {
            return;
        }
        // Element (u, v) of a matrix is arr[base + u * strideU + v * strideV].
        int aRow = a.transposed ? 1 : k;
        int aCol = a.transposed ? m : 1;
        int bRow = b.transposed ? 1 : n;
        int bCol = b.transposed ? k : 1;
        boolean swap = n < SHORT_VECTOR && m > n;
        Layout layout = swap
                // C^T = op(B)^T op(A)^T: scalar row r is column r of op(B), panel row p is column p of op(A).
                ? new Layout(b.values, b.offset, b.batchStride, bCol, bRow, a.values, a.offset, a.batchStride, aCol,
                        aRow, null, n, m, 1, n)
                : new Layout(a.values, a.offset, a.batchStride, aRow, aCol, b.values, b.offset, b.batchStride, bRow,
                        bCol, null, m, n, n, 1);
        long macs = (long) m * n * k;
        if (batch * macs <= TINY_MACS) {
            // So little work that packing and scratch space would cost more than they save.
            for (int bi = 0; bi < batch; bi++) {
                direct(layout, k, bi, outOffset + bi * m * n, out, accumulate);
            }
            return;
        }
        packed(layout, batch, k, out, outOffset, accumulate, parallel);
    }

    /**
     * The packed product of {@code layout}, in units, on the pool when {@code parallel} and it pays. On one thread
     * rows are not split beyond {@link #ROWS_PER_UNIT}: more units would only pack every panel again.
     */
    private static void packed(Layout layout, int batch, int k, float[] out, int outOffset, boolean accumulate,
            boolean parallel) {
        int colUnits = ceilDiv(layout.cols, PANEL_WIDTH);
        int unitRows = unitRows(layout.rows, parallel ? (long) batch * colUnits : Integer.MAX_VALUE);
        int rowUnits = ceilDiv(layout.rows, unitRows);
        Parallel.RangeBody body = (from, to) -> {
            // Taken inside the body, on the thread that runs it; nothing in a body waits, so nothing else runs
            // on this thread (and could use its workspace) until the body returns.
            Workspace w = Workspace.CURRENT.get();
            for (int u = from; u < to; u++) {
                int bi = u / (rowUnits * colUnits);
                int rest = u % (rowUnits * colUnits);
                int r0 = (rest / colUnits) * unitRows;
                int l0 = (rest % colUnits) * PANEL_WIDTH;
                unit(layout, k, bi, r0, Math.min(layout.rows - r0, unitRows), l0,
                        Math.min(layout.cols - l0, PANEL_WIDTH), outOffset + bi * layout.rows * layout.cols, out,
                        accumulate, w);
            }
        };
        int units = batch * rowUnits * colUnits;
        if (parallel) {
            run(units, (long) unitRows * Math.min(layout.cols, PANEL_WIDTH) * k, body);
        } else {
            body.run(0, units);
        }
    }

    /**
     * The product as {@code rows x k} scalars {@code s} times a {@code k x cols} panel {@code v}, written to
     * {@code out[cBase + r * outRow + l * outCol]}; element (u, v) of an operand is
     * {@code arr[offset + batch * batchStride + u * strideU + v * strideV]}.
     */
    private record Layout(float[] s, int sOffset, int sBatch, int sRow, int sDepth, float[] v, int vOffset,
            int vBatch, int vDepth, int vCol, PanelSource panels, int rows, int cols, int outRow, int outCol) {
    }

    /**
     * Per-thread scratch (about 210 KiB): packed panel rows, packed scalars, accumulator rows. Kept for the thread's
     * life rather than allocated per call: fresh scratch per call was measurably slower (allocation, zeroing, and
     * first touch of new memory). Contents never leak into results: accumulators are zeroed per unit and only the
     * freshly packed part of the panel and scalars is read.
     */
    private static final class Workspace {
        private static final ThreadLocal<Workspace> CURRENT = ThreadLocal.withInitial(Workspace::new);

        final float[][] panel = new float[PANEL_DEPTH][PANEL_WIDTH];
        final float[] scalars = new float[ROWS_PER_UNIT * PANEL_DEPTH];
        final float[][] acc = new float[ROWS_PER_UNIT][PANEL_WIDTH];
        /** Where each packed panel row starts in its array: always 0. */
        final int[] panelStarts = new int[PANEL_DEPTH];
        /** A {@link RowsAt} operand's rows for the Vector API kernel: its array, and each row's start. */
        final float[][] rowArrays = new float[PANEL_DEPTH][];
        final int[] rowStarts = new int[PANEL_DEPTH];
    }

    /** Splits {@code items} over the fork-join pool unless their total work is too small to pay for it. */
    private static void run(int items, long macsPerItem, Parallel.RangeBody body) {
        if (items * macsPerItem < SERIAL_MACS) {
            body.run(0, items);
        } else {
            Parallel.forRange(items, macsPerItem, body);
        }
    }

    /** One whole batch entry with plain loops: a float accumulator per element, fused multiply-adds, p ascending. */
    private static void direct(Layout g, int k, int b, int cBase, float[] out, boolean accumulate) {
        float[] s = g.s;
        float[] v = g.v;
        for (int r = 0; r < g.rows; r++) {
            int so = g.sOffset + b * g.sBatch + r * g.sRow;
            for (int l = 0; l < g.cols; l++) {
                int vo = g.vOffset + b * g.vBatch + l * g.vCol;
                int o = cBase + r * g.outRow + l * g.outCol;
                float c = accumulate ? out[o] : 0f;
                for (int p = 0; p < k; p++) {
                    c = Math.fma(s[so + p * g.sDepth], v[vo + p * g.vDepth], c);
                }
                out[o] = c;
            }
        }
    }

    private static void unit(Layout g, int k, int b, int r0, int rows, int l0, int cols, int cBase, float[] out,
            boolean accumulate, Workspace w) {
        float[][] acc = w.acc;
        for (int r = 0; r < rows; r++) {
            if (!accumulate) {
                Arrays.fill(acc[r], 0, cols, 0f);
            } else if (g.outCol == 1) {
                System.arraycopy(out, cBase + (r0 + r) * g.outRow + l0, acc[r], 0, cols);
            } else {
                for (int l = 0; l < cols; l++) {
                    acc[r][l] = out[cBase + (l0 + l) * g.outCol + r0 + r];
                }
            }
        }
        int sBase = g.sOffset + b * g.sBatch;
        int vBase = g.vOffset + b * g.vBatch;
        // Slices of equal depth, at most PANEL_DEPTH: a short last slice (4 depths of ResNet-18's 196 in its 14x14
        // layers' weight gradient) loads and stores every accumulator for a few multiply-adds.
        int slices = ceilDiv(k, PANEL_DEPTH);
        for (int slice = 0; slice < slices; slice++) {
            int p0 = (int) ((long) k * slice / slices);
            int depth = (int) ((long) k * (slice + 1) / slices) - p0;
            packScalars(g.s, sBase + r0 * g.sRow + p0 * g.sDepth, g.sRow, g.sDepth, rows, depth, w.scalars);
            if (VectorApi.ENABLED && g.panels instanceof RowsAt inPlace) {
                // The rows are read where they are: no panel is packed.
                for (int p = 0; p < depth; p++) {
                    w.rowArrays[p] = inPlace.values;
                    w.rowStarts[p] = inPlace.offsets[p0 + p] + l0;
                }
                VectorGemmKernel.accumulate(w.scalars, w.rowArrays, w.rowStarts, acc, rows, depth, cols);
                continue;
            }
            if (g.panels != null) {
                g.panels.pack(p0, depth, l0, cols, w.panel);
            } else {
                packPanel(g.v, vBase + p0 * g.vDepth + l0 * g.vCol, g.vDepth, g.vCol, depth, cols, w.panel);
            }
            if (VectorApi.ENABLED) {
                VectorGemmKernel.accumulate(w.scalars, w.panel, w.panelStarts, acc, rows, depth, cols);
            } else {
                accumulate(w.scalars, w.panel, acc, rows, depth, cols);
            }
        }
        if (g.outCol == 1) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(acc[r], 0, out, cBase + (r0 + r) * g.outRow + l0, cols);
            }
        } else {
            // Transposed output: element (r, l) goes to out[cBase + (l0 + l) * outCol + r0 + r].
            for (int l = 0; l < cols; l++) {
                int o = cBase + (l0 + l) * g.outCol + r0;
                for (int r = 0; r < rows; r++) {
                    out[o + r] = acc[r][l];
                }
            }
        }
    }

    /** {@code panel[p][l] = src[base + p * depthStride + l * colStride]}. */
    private static void packPanel(float[] src, int base, int depthStride, int colStride, int depth, int cols,
            float[][] panel) {
        if (colStride == 1) {
            for (int p = 0; p < depth; p++) {
                System.arraycopy(src, base + p * depthStride, panel[p], 0, cols);
            }
        } else {
            // A transposing gather, eight depths at a time: eight reads close together in one column (consecutive
            // when the depth stride is 1), one value into each of eight panel rows. In a small benchmark on the
            // weight gradient's shape it took 0.27 ns a value against 0.37 for four columns at a time.
            int p = 0;
            for (; p + 7 < depth; p += 8) {
                float[] r0 = panel[p];
                float[] r1 = panel[p + 1];
                float[] r2 = panel[p + 2];
                float[] r3 = panel[p + 3];
                float[] r4 = panel[p + 4];
                float[] r5 = panel[p + 5];
                float[] r6 = panel[p + 6];
                float[] r7 = panel[p + 7];
                int d = p * depthStride;
                for (int l = 0; l < cols; l++) {
                    int o = base + l * colStride + d;
                    r0[l] = src[o];
                    r1[l] = src[o + depthStride];
                    r2[l] = src[o + 2 * depthStride];
                    r3[l] = src[o + 3 * depthStride];
                    r4[l] = src[o + 4 * depthStride];
                    r5[l] = src[o + 5 * depthStride];
                    r6[l] = src[o + 6 * depthStride];
                    r7[l] = src[o + 7 * depthStride];
                }
            }
            for (; p < depth; p++) {
                float[] row = panel[p];
                int d = base + p * depthStride;
                for (int l = 0; l < cols; l++) {
                    row[l] = src[d + l * colStride];
                }
            }
        }
    }

    /** {@code scalars[r * depth + p] = src[base + r * rowStride + p * depthStride]}. */
    private static void packScalars(float[] src, int base, int rowStride, int depthStride, int rows, int depth,
            float[] scalars) {
        if (depthStride == 1) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(src, base + r * rowStride, scalars, r * depth, depth);
            }
        } else {
            for (int p = 0; p < depth; p++) {
                int o = base + p * depthStride;
                for (int r = 0; r < rows; r++) {
                    scalars[r * depth + p] = src[o + r * rowStride];
                }
            }
        }
    }

    /** {@code acc[r][l] = fma(scalars[r][p], panel[p][l], acc[r][l])}, p ascending; rows in threes, p in twos. */
    static void accumulate(float[] s, float[][] panel, float[][] acc, int rows, int depth, int cols) {
        int r = 0;
        for (; r + 2 < rows; r += 3) {
            float[] c0 = acc[r];
            float[] c1 = acc[r + 1];
            float[] c2 = acc[r + 2];
            int s0 = r * depth;
            int s1 = s0 + depth;
            int s2 = s1 + depth;
            int p = 0;
            for (; p + 1 < depth; p += 2) {
                rows3depth2(c0, c1, c2, s[s0 + p], s[s0 + p + 1], s[s1 + p], s[s1 + p + 1], s[s2 + p],
                        s[s2 + p + 1], panel[p], panel[p + 1], cols);
            }
            if (p < depth) {
                rows3depth1(c0, c1, c2, s[s0 + p], s[s1 + p], s[s2 + p], panel[p], cols);
            }
        }
        for (; r < rows; r++) {
            float[] c0 = acc[r];
            int s0 = r * depth;
            int p = 0;
            for (; p + 3 < depth; p += 4) {
                rows1depth4(c0, s[s0 + p], s[s0 + p + 1], s[s0 + p + 2], s[s0 + p + 3], panel[p], panel[p + 1],
                        panel[p + 2], panel[p + 3], cols);
            }
            for (; p < depth; p++) {
                rows1depth1(c0, s[s0 + p], panel[p], cols);
            }
        }
    }

    // The micro-kernels: every array indexed by the loop variable alone, so C2 vectorizes them. Each line fuses the
    // products in ascending p, innermost first: fma(a1, b1, fma(a0, b0, c)) ... Their bodies are kept small on purpose:
    // JDK 17's C2 stops vectorizing a loop whose body is much larger than three rows by two depths.

    private static void rows3depth2(float[] c0, float[] c1, float[] c2, float a0, float a1, float e0, float e1,
            float f0, float f1, float[] b0, float[] b1, int cols) {
        for (int l = 0; l < cols; l++) {
            float v0 = b0[l];
            float v1 = b1[l];
            c0[l] = Math.fma(a1, v1, Math.fma(a0, v0, c0[l]));
            c1[l] = Math.fma(e1, v1, Math.fma(e0, v0, c1[l]));
            c2[l] = Math.fma(f1, v1, Math.fma(f0, v0, c2[l]));
        }
    }

    private static void rows3depth1(float[] c0, float[] c1, float[] c2, float a0, float e0, float f0, float[] b0,
            int cols) {
        for (int l = 0; l < cols; l++) {
            float v0 = b0[l];
            c0[l] = Math.fma(a0, v0, c0[l]);
            c1[l] = Math.fma(e0, v0, c1[l]);
            c2[l] = Math.fma(f0, v0, c2[l]);
        }
    }

    private static void rows1depth4(float[] c0, float a0, float a1, float a2, float a3, float[] b0, float[] b1,
            float[] b2, float[] b3, int cols) {
        for (int l = 0; l < cols; l++) {
            c0[l] = Math.fma(a3, b3[l], Math.fma(a2, b2[l], Math.fma(a1, b1[l], Math.fma(a0, b0[l], c0[l]))));
        }
    }

    private static void rows1depth1(float[] c0, float a0, float[] b0, int cols) {
        for (int l = 0; l < cols; l++) {
            c0[l] = Math.fma(a0, b0[l], c0[l]);
        }
    }

    /**
     * Rows per unit: as many as {@link #ROWS_PER_UNIT}, fewer (down to {@link #MIN_ROWS_PER_UNIT}) when that would
     * leave fewer than four units per thread, rounded up to a multiple of the micro-kernel's height (3 rows;
     * {@link VectorGemmKernel#TILE_ROWS} for {@link VectorGemmKernel}) and spread evenly. Only speed depends on
     * this choice; no result does.
     */
    private static int unitRows(int rows, long otherUnits) {
        long wanted = 4L * Runtime.getRuntime().availableProcessors();
        int rowUnits = ceilDiv(rows, ROWS_PER_UNIT);
        while (otherUnits * rowUnits < wanted && ceilDiv(rows, rowUnits + 1) >= MIN_ROWS_PER_UNIT) {
            rowUnits++;
        }
        int unitRows = ceilDiv(rows, rowUnits);
        int height = VectorApi.ENABLED ? VectorGemmKernel.TILE_ROWS : 3;
        return Math.min(rows, ceilDiv(unitRows, height) * height);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
