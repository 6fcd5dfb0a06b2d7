package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The backend's window kernels as linear maps: each backward kernel must be the exact adjoint (transpose) of its
 * forward, {@code <forward(x), g> == <x, backward(g)>}, whatever the stride, padding and dilation.
 */
class CpuWindowsTest {
    private static final Window2d[] WINDOWS = {
        new Window2d(2, 3, 7, 6, 3, 3, 1, 1, 0, 0, 1, 1),
        new Window2d(2, 3, 7, 6, 3, 2, 2, 1, 1, 1, 1, 2),
        new Window2d(1, 4, 9, 8, 3, 3, 2, 3, 2, 1, 2, 2),
        new Window2d(3, 2, 5, 5, 2, 2, 2, 2, 1, 1, 1, 1),
        // The shapes of real networks' layers: rows longer than a vector, rows of 7 and 4, a dilated wide kernel.
        new Window2d(2, 2, 5, 37, 3, 3, 1, 1, 1, 1, 1, 1),
        new Window2d(3, 3, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1),
        new Window2d(4, 2, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1),
        new Window2d(2, 2, 6, 23, 3, 5, 1, 1, 2, 3, 2, 2),
    };

    private static float[] randn(Random random, int n) {
        return Tensor.randn(random, n).toFloatArray();
    }

    private static double dot(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static int inputSize(Window2d w) {
        return w.batch() * w.channels() * w.height() * w.width();
    }

    private static int outputSize(Window2d w) {
        return w.batch() * w.channels() * w.outHeight() * w.outWidth();
    }

    /** One cell of an im2col matrix: its index there, and the input cell it copies (-1 for padding). */
    private interface CellVisitor {
        void visit(int column, int input);
    }

    /**
     * Every cell of the im2col matrix of {@code w}, from the window's definition: rows by (channel, tap), taps in
     * window order, then images and output positions.
     */
    private static void forEachIm2colCell(Window2d w, CellVisitor visitor) {
        int oh = w.outHeight();
        int ow = w.outWidth();
        int positions = w.batch() * oh * ow;
        for (int c = 0; c < w.channels(); c++) {
            for (int ky = 0; ky < w.kernelHeight(); ky++) {
                for (int kx = 0; kx < w.kernelWidth(); kx++) {
                    int row = (c * w.kernelHeight() + ky) * w.kernelWidth() + kx;
                    for (int n = 0; n < w.batch(); n++) {
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++) {
                                int iy = oy * w.strideHeight() - w.padHeight() + ky * w.dilationHeight();
                                int ix = ox * w.strideWidth() - w.padWidth() + kx * w.dilationWidth();
                                boolean inside = iy >= 0 && iy < w.height() && ix >= 0 && ix < w.width();
                                visitor.visit(row * positions + (n * oh + oy) * ow + ox,
                                        inside ? ((n * w.channels() + c) * w.height() + iy) * w.width() + ix : -1);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void im2colHoldsEveryWindowsCellsRowByTapWithZerosForPadding() {
        Random random = new Random(4);
        for (Window2d w : WINDOWS) {
            float[] x = randn(random, inputSize(w));
            float[] columns = CpuWindows.im2col(x, w);
            forEachIm2colCell(w, (column, input) -> assertEquals(input >= 0 ? x[input] : 0f, columns[column],
                    w + ", im2col cell " + column));
        }
    }

    @Test
    void oneImagesIm2colOverwritesAnyScratchWithThatImagesColumns() {
        Random random = new Random(8);
        for (Window2d w : WINDOWS) {
            float[] x = randn(random, inputSize(w));
            float[] all = CpuWindows.im2col(x, w);
            int plane = w.outHeight() * w.outWidth();
            int rows = w.channels() * w.kernelSize();
            for (int n = 0; n < w.batch(); n++) {
                // A scratch left over from anything: padding must come out as zeros all the same.
                float[] scratch = new float[rows * plane + 5];
                Arrays.fill(scratch, Float.NaN);
                CpuWindows.im2colImage(x, w, n, scratch);
                for (int r = 0; r < rows; r++) {
                    int from = r * w.batch() * plane + n * plane;
                    assertArrayEquals(Arrays.copyOfRange(all, from, from + plane),
                            Arrays.copyOfRange(scratch, r * plane, (r + 1) * plane), w + ", image " + n + ", row " + r);
                }
            }
        }
    }

    @Test
    void unfoldingARangeOfPositionsWritesThatSliceOfTheIm2colRow() {
        Random random = new Random(10);
        for (Window2d w : WINDOWS) {
            float[] x = randn(random, inputSize(w));
            int plane = w.outHeight() * w.outWidth();
            int rows = w.channels() * w.kernelSize();
            float[] columns = new float[rows * plane];
            CpuWindows.im2colImage(x, w, 0, columns);
            for (int r = 0; r < rows; r++) {
                for (int from = 0; from <= plane; from += 3) {
                    for (int to = from; to <= plane; to += 5) {
                        float[] out = new float[to - from + 2];
                        Arrays.fill(out, Float.NaN);
                        CpuWindows.unfold(x, w, 0, r, from, to, out, 1);
                        assertArrayEquals(Arrays.copyOfRange(columns, r * plane + from, r * plane + to),
                                Arrays.copyOfRange(out, 1, 1 + to - from), w + ", row " + r + ", [" + from + ", " + to
                                        + ")");
                        assertTrue(Float.isNaN(out[0]) && Float.isNaN(out[out.length - 1]), "writes outside the range");
                    }
                }
            }
        }
    }

    @Test
    void col2imIsTheAdjointOfIm2col() {
        Random random = new Random(21);
        for (Window2d w : WINDOWS) {
            float[] x = randn(random, inputSize(w));
            float[] c = randn(random, w.channels() * w.kernelSize() * w.batch() * w.outHeight() * w.outWidth());
            assertEquals(dot(CpuWindows.im2col(x, w), c), dot(x, CpuWindows.col2im(c, w)), 1e-3, w.toString());
        }
    }

    @Test
    void col2imAddsEachCellsTapsInWindowOrderBitForBit() {
        Random random = new Random(22);
        for (Window2d w : WINDOWS) {
            int positions = w.batch() * w.outHeight() * w.outWidth();
            // Values of mixed magnitudes, so that another order of the additions would round differently.
            float[] c = randn(random, w.channels() * w.kernelSize() * positions);
            for (int i = 0; i < c.length; i++) {
                c[i] *= (float) Math.pow(10, random.nextInt(7) - 3);
            }
            // Each input cell's taps come in window order: a channel's rows are visited tap by tap.
            float[] expected = new float[inputSize(w)];
            forEachIm2colCell(w, (column, input) -> {
                if (input >= 0) {
                    expected[input] += c[column];
                }
            });
            float[] actual = CpuWindows.col2im(c, w);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                        w + ", cell " + i);
            }
        }
    }

    @Test
    void avgPoolBackwardIsTheAdjointOfAvgPool() {
        Random random = new Random(22);
        for (Window2d w : WINDOWS) {
            float[] x = randn(random, inputSize(w));
            float[] g = randn(random, outputSize(w));
            assertEquals(dot(CpuWindows.avgPool(x, w), g), dot(x, CpuWindows.avgPoolBackward(g, w)), 1e-4,
                    w.toString());
        }
    }

    @Test
    void maxPoolBackwardIsTheAdjointOfGatheringTheArgmax() {
        Random random = new Random(23);
        for (Window2d w : WINDOWS) {
            float[] x = randn(random, inputSize(w));
            float[] g = randn(random, outputSize(w));
            int[] argmax = new int[outputSize(w)];
            float[] y = CpuWindows.maxPool(x, w, argmax);
            assertEquals(dot(y, g), dot(x, CpuWindows.maxPoolBackward(g, argmax, w)), 1e-4, w.toString());
        }
    }

    /** Ties, signed zeros and infinities: what pairing the window's cells could get wrong. */
    private static final float[] TIES = {0f, -0f, 1f, 2f, -1f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};

    /** {@link #TIES} and NaNs of different payloads. */
    private static final float[] TIES_AND_NANS = {0f, -0f, 1f, 2f, Float.NaN, Float.intBitsToFloat(0x7fc00123),
        Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};

    private static float[] drawn(Random random, float[] choices, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = choices[random.nextInt(choices.length)];
        }
        return x;
    }

    /** Every window's output and argmax are its first maximum, or its first NaN, in window order, bit for bit. */
    private static void assertFirstMaximumOfEachWindow(float[] x, Window2d w) {
        int[] argmax = new int[outputSize(w)];
        float[] y = CpuWindows.maxPool(x, w, argmax);
        int plane = w.height() * w.width();
        for (int p = 0; p < w.batch() * w.channels(); p++) {
            for (int oy = 0; oy < w.outHeight(); oy++) {
                for (int ox = 0; ox < w.outWidth(); ox++) {
                    int best = 2 * oy * w.width() + 2 * ox;
                    for (int cell : new int[] {best + 1, best + w.width(), best + w.width() + 1}) {
                        float v = x[p * plane + cell];
                        float b = x[p * plane + best];
                        if (v > b || Float.isNaN(v) && !Float.isNaN(b)) {
                            best = cell;
                        }
                    }
                    int o = (p * w.outHeight() + oy) * w.outWidth() + ox;
                    assertEquals(best, argmax[o], w + ": argmax of window " + o);
                    assertEquals(Float.floatToRawIntBits(x[p * plane + best]), Float.floatToRawIntBits(y[o]),
                            w + ": value of window " + o);
                }
            }
        }
    }

    @Test
    void twoByTwoMaxPoolKeepsTheFirstMaximumOrFirstNanInWindowOrderBitForBit() {
        Random random = new Random(29);
        Window2d w = new Window2d(2, 3, 8, 9, 2, 2, 2, 2, 0, 0, 1, 1);
        assertFirstMaximumOfEachWindow(drawn(random, TIES_AND_NANS, inputSize(w)), w);
    }

    @Test
    void twoByTwoMaxPoolKeepsTheFirstMaximumOfRowsLongerAndShorterThanAVectorBitForBit() {
        // Rows of 14, 7, 9 and 20 windows, odd widths and heights, a NaN here and there: whole vector blocks, blocks
        // that run into the next row, rows finished by the scalar loop, NaN blocks sent to it.
        Random random = new Random(31);
        for (Window2d w : new Window2d[] {
            new Window2d(3, 2, 28, 28, 2, 2, 2, 2, 0, 0, 1, 1),
            new Window2d(2, 5, 14, 14, 2, 2, 2, 2, 0, 0, 1, 1),
            new Window2d(2, 3, 9, 19, 2, 2, 2, 2, 0, 0, 1, 1),
            new Window2d(1, 2, 6, 40, 2, 2, 2, 2, 0, 0, 1, 1),
        }) {
            float[] x = drawn(random, TIES, inputSize(w));
            for (int i = 0; i < 3; i++) {
                x[random.nextInt(x.length)] = Float.NaN;
            }
            assertFirstMaximumOfEachWindow(x, w);
        }
    }

    @Test
    void vectorTwoByTwoMaxPoolWritesTheScalarLoopsBitsAndNothingOutsideItsPlane() {
        // A plane at the very end of its array, written into the middle of a larger output: the vector blocks must
        // neither read past the array nor write past the plane, and must agree with the scalar loop everywhere.
        Random random = new Random(37);
        for (int[] hw : new int[][] {{14, 14}, {28, 28}, {8, 9}, {10, 34}}) {
            int height = hw[0];
            int width = hw[1];
            int oh = height / 2;
            int ow = width / 2;
            float[] x = drawn(random, TIES, 5 + height * width);
            float[] vectorOut = new float[oh * ow + 20];
            Arrays.fill(vectorOut, 42f);
            float[] scalarOut = vectorOut.clone();
            int[] vectorArgmax = new int[vectorOut.length];
            Arrays.fill(vectorArgmax, -7);
            int[] scalarArgmax = vectorArgmax.clone();
            VectorMaxPool.plane(x, 5, width, oh, ow, vectorOut, 10, vectorArgmax, 10 + oh * ow);
            for (int oy = 0; oy < oh; oy++) {
                CpuWindows.maxWindows2x2(x, 5, width, oy, 0, ow, ow, scalarOut, 10, scalarArgmax);
            }
            assertArrayEquals(scalarArgmax, vectorArgmax, height + "x" + width);
            for (int i = 0; i < vectorOut.length; i++) {
                assertEquals(Float.floatToRawIntBits(scalarOut[i]), Float.floatToRawIntBits(vectorOut[i]),
                        height + "x" + width + ": output " + i);
            }
        }
    }
}
