package io.jqi.tensor;

import io.jqi.tensor.CpuGemm.Operand;
import java.util.function.Supplier;

/**
 * Convolution on the CPU image by image: per image, the weights times its im2col matrix, written straight into that
 * image's NCHW output. The forward of an ungrouped convolution never builds that matrix: at stride 1 the product
 * reads its rows in place from the zero-padded image ({@link PaddedImage}), at other strides it packs its panels from
 * the image's windows ({@link CpuGemm.PanelSource}); the gradients build it one image large, in reused scratch. The
 * batch-wide composition of {@link Backend#conv2d} (an im2col
 * matrix {@code kernelHeight * kernelWidth} times the input, a product laid out [outChannels, batch, ...] and a
 * permuted copy of it) computes every output element from the same operands in the same order, so the bits are the
 * same (docs/performance.md#peak-memory says why this matters).
 *
 * <p>Forward and input gradient: every image is independent, so with enough images they are spread over the threads,
 * each running its products on its own; with few, the images go one after another and each product is spread
 * instead. Weight gradient: one sum per weight over all images, so the images go in order, each product accumulating
 * into the gradient ({@link CpuGemm#multiply(Operand, Operand, int, int, int, int, float[], int, boolean, boolean)}),
 * which continues every element's sum exactly where the previous image left it; the threads share the weights out
 * between them instead of the images.
 */
final class CpuConvolution {
    private CpuConvolution() {
    }

    /**
     * Whether to convolve image by image: when an image has at least {@link CpuGemm#SHORT_VECTOR} output positions.
     * With fewer, each image's product is too narrow for the GEMM's vector loops and it would multiply the transposed
     * product instead, gathering the whole weight matrix transposed for every image; the batch-wide composition is
     * faster there, and its im2col matrix is small anyway (the late, low-resolution layers).
     */
    static boolean imageByImage(Window2d w) {
        return w.outHeight() * w.outWidth() >= CpuGemm.SHORT_VECTOR;
    }

    static float[] forward(float[] x, float[] weight, Window2d w, int outChannels, int groups) {
        ConvolutionShape c = shape(w, outChannels, groups);
        int image = outChannels * c.plane();
        float[] out = new float[w.batch() * image];
        Operand weights = new Operand(weight, 0, c.rows() * c.taps(), false);
        if (groups == 1 && readsPaddedImage(w)) {
            PaddedImage padded = new PaddedImage(w);
            int[] offsets = padded.rowOffsets();
            int columns = padded.columns();
            forEachImage(w, c, () -> new float[][] {padded.scratch(), new float[c.rows() * columns]},
                    (n, scratch, parallel) -> {
                        padded.fill(x, n, scratch[0]);
                        CpuGemm.multiply(weights, new CpuGemm.RowsAt(scratch[0], offsets), c.rows(), c.taps(),
                                columns, scratch[1], 0, parallel);
                        padded.dropMargins(scratch[1], c.rows(), out, n * image);
                    });
            return out;
        }
        if (groups == 1) {
            // The product packs its panels straight from the image's windows: no im2col matrix is written and read
            // back (it was a sixth of a ResNet-18 inference).
            forEachImage(w, c, () -> null, (n, unused, parallel) -> CpuGemm.multiply(weights,
                    (depth0, depth, col0, cols, panel) -> {
                        for (int p = 0; p < depth; p++) {
                            CpuWindows.unfold(x, w, n, depth0 + p, col0, col0 + cols, panel[p], 0);
                        }
                    }, c.rows(), c.taps(), c.plane(), out, n * image, parallel));
            return out;
        }
        forEachImage(w, c, () -> new float[columnsSize(w, c)], (n, columns, parallel) -> {
            CpuWindows.im2colImage(x, w, n, columns);
            CpuGemm.multiply(weights, new Operand(columns, 0, c.taps() * c.plane(), false), groups, c.rows(),
                    c.taps(), c.plane(), out, n * image, false, parallel);
        });
        return out;
    }

    /**
     * Whether the forward reads the padded image in place ({@link PaddedImage}): stride 1, and the padded rows'
     * extra columns, computed and dropped, at most a quarter of the real ones (ResNet-18's 28x28 layers compute 30
     * columns for 28, its 14x14 ones 16 for 14).
     */
    static boolean readsPaddedImage(Window2d w) {
        return w.strideHeight() == 1 && w.strideWidth() == 1
                && 4L * (w.width() + 2L * w.padWidth()) <= 5L * w.outWidth();
    }

    static float[] inputGrad(float[] weight, float[] dy, Window2d w, int outChannels, int groups) {
        ConvolutionShape c = shape(w, outChannels, groups);
        int image = outChannels * c.plane();
        float[] dx = new float[w.inputSize()];
        forEachImage(w, c, () -> new float[columnsSize(w, c)], (n, columns, parallel) -> {
            CpuGemm.multiply(new Operand(weight, 0, c.rows() * c.taps(), true),
                    new Operand(dy, n * image, c.rows() * c.plane(), false), groups, c.taps(), c.rows(), c.plane(),
                    columns, 0, false, parallel);
            CpuWindows.col2imImage(columns, w, n, dx);
        });
        return dx;
    }

    static float[] weightGrad(float[] x, float[] dy, Window2d w, int outChannels, int groups) {
        ConvolutionShape c = shape(w, outChannels, groups);
        int image = outChannels * c.plane();
        float[] dw = new float[outChannels * c.taps()];
        if (groups == 1) {
            weightGradByTaps(x, dy, w, c, dw);
            return dw;
        }
        float[] columns = new float[columnsSize(w, c)];
        for (int n = 0; n < w.batch(); n++) {
            CpuWindows.im2colImage(x, w, n, columns);
            CpuGemm.multiply(new Operand(dy, n * image, c.rows() * c.plane(), false),
                    new Operand(columns, 0, c.taps() * c.plane(), true), groups, c.rows(), c.plane(), c.taps(), dw, 0,
                    n > 0, true);
        }
        return dw;
    }

    /**
     * The ungrouped weight gradient with its taps (the columns of {@code dw}, the rows of the im2col matrix) split
     * over the threads. Each thread unfolds only its rows of every image and multiplies them, as scalar rows, by the
     * image's output gradient transposed, the panel: {@code outChannels} wide, gathered once per image and thread.
     * Multiplied the other way round, the panel is the im2col matrix transposed, taps wide, and every unit of rows
     * gathered it again: half the weight gradient's time went to that gather in the cnn's training step
     * (docs/performance.md#seventh-pass-2026-12-07-the-weight-gradient-split-by-taps). Each weight's sum is still
     * one thread's, image after image, so the bits are the same.
     */
    private static void weightGradByTaps(float[] x, float[] dy, Window2d w, ConvolutionShape c, float[] dw) {
        int taps = c.taps();
        int plane = c.plane();
        int image = c.rows() * plane;
        int tiles = (taps + VectorGemmKernel.TILE_ROWS - 1) / VectorGemmKernel.TILE_ROWS;
        int parts = Math.min(Runtime.getRuntime().availableProcessors(), tiles);
        Parallel.forRange(parts, (long) w.batch() * image * taps / parts, (from, to) -> {
            for (int part = from; part < to; part++) {
                int first = Math.min(taps, tiles * part / parts * VectorGemmKernel.TILE_ROWS);
                int end = Math.min(taps, tiles * (part + 1) / parts * VectorGemmKernel.TILE_ROWS);
                float[] rows = new float[(end - first) * plane];
                for (int n = 0; n < w.batch(); n++) {
                    for (int r = first; r < end; r++) {
                        CpuWindows.unfold(x, w, n, r, 0, plane, rows, (r - first) * plane);
                    }
                    CpuGemm.multiplyTransposedOut(new Operand(rows, 0, 0, false),
                            new Operand(dy, n * image, 0, true), end - first, plane, c.rows(), dw, first, taps,
                            n > 0);
                }
            }
        });
    }

    private static ConvolutionShape shape(Window2d w, int outChannels, int groups) {
        ConvolutionShape.requireImageColumns(w);
        return new ConvolutionShape(w, outChannels, groups);
    }

    /** The size of one image's im2col matrix. */
    private static int columnsSize(Window2d w, ConvolutionShape c) {
        return w.channels() * w.kernelSize() * c.plane();
    }

    /** Work on image {@code n} with {@code scratch}, this thread's. */
    private interface ImageBody<S> {
        void run(int n, S scratch, boolean parallelProducts);
    }

    /**
     * Runs {@code body} for every image: spread over the threads, one scratch per chunk of images, when there are
     * at least two images per thread; otherwise in order with one scratch, each product parallel.
     */
    private static <S> void forEachImage(Window2d w, ConvolutionShape c, Supplier<S> scratch, ImageBody<S> body) {
        int threads = Runtime.getRuntime().availableProcessors();
        if (threads > 1 && w.batch() >= 2 * threads) {
            Parallel.forRange(w.batch(), (long) columnsSize(w, c) * c.rows(), (from, to) -> {
                S mine = scratch.get();
                for (int n = from; n < to; n++) {
                    body.run(n, mine, false);
                }
            });
            return;
        }
        S mine = scratch.get();
        for (int n = 0; n < w.batch(); n++) {
            body.run(n, mine, true);
        }
    }
}
