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
        if (groups == 1) {
            inputGradByChannels(weight, dy, w, c, dx);
            return dx;
        }
        forEachImage(w, c, () -> new float[columnsSize(w, c)], (n, columns, parallel) -> {
            CpuGemm.multiply(new Operand(weight, 0, c.rows() * c.taps(), true),
                    new Operand(dy, n * image, c.rows() * c.plane(), false), groups, c.taps(), c.rows(), c.plane(),
                    columns, 0, false, parallel);
            CpuWindows.col2imChannels(columns, w, n, 0, w.channels(), dx);
        });
        return dx;
    }

    /**
     * The ungrouped input gradient, a block of input channels at a time: per image and block, the block's rows of the
     * im2col gradient {@code W^T dY} (as many rows as a GEMM unit holds), folded into {@code dx} at once. The block
     * is still in the level-2 cache when it is folded, where the image's whole im2col gradient (1.8 MB for
     * ResNet-18's 64-channel 28x28 layers) went out to memory and came back; and the output gradient, the product's
     * panel, is read in place ({@link CpuGemm.RowsAt}) instead of packed again for every unit of rows. Each element
     * of the im2col gradient is the same sum as before, and each input cell still receives its channel's taps in
     * window order, so the bits are the same.
     */
    private static void inputGradByChannels(float[] weight, float[] dy, Window2d w, ConvolutionShape c, float[] dx) {
        int kernel = w.kernelSize();
        int outChannels = c.rows();
        int plane = c.plane();
        int block = Math.max(1, Math.min(w.channels(), CpuGemm.ROWS_PER_UNIT / kernel));
        // W^T, [channels * kernel, outChannels]: a block's scalar rows lie next to each other.
        float[] transposed = new float[c.taps() * outChannels];
        for (int o = 0; o < outChannels; o++) {
            for (int t = 0; t < c.taps(); t++) {
                transposed[t * outChannels + o] = weight[o * c.taps() + t];
            }
        }
        forEachImage(w, c, () -> new float[block * kernel * plane], (n, columns, parallel) -> {
            int[] rows = new int[outChannels];
            for (int o = 0; o < outChannels; o++) {
                rows[o] = (n * outChannels + o) * plane;
            }
            CpuGemm.RowsAt gradient = new CpuGemm.RowsAt(dy, rows);
            for (int c0 = 0; c0 < w.channels(); c0 += block) {
                int channels = Math.min(block, w.channels() - c0);
                CpuGemm.multiply(new Operand(transposed, c0 * kernel * outChannels, 0, false), gradient,
                        channels * kernel, outChannels, plane, columns, 0, parallel);
                CpuWindows.col2imChannels(columns, w, n, c0, channels, dx);
            }
        });
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
     * image's output gradient transposed, the panel: {@code outChannels} wide, transposed once per image and thread
     * into scratch that the product reads in place ({@link CpuGemm.RowsAt}). Multiplied the other way round, the
     * panel is the im2col matrix transposed, taps wide, and every unit of rows gathered it again: half the weight
     * gradient's time went to that gather in the cnn's training step
     * (docs/performance.md#seventh-pass-2026-12-07-the-weight-gradient-split-by-taps). Each weight's sum is still
     * one thread's, image after image, so the bits are the same.
     */
    private static void weightGradByTaps(float[] x, float[] dy, Window2d w, ConvolutionShape c, float[] dw) {
        int taps = c.taps();
        int plane = c.plane();
        int outChannels = c.rows();
        int image = outChannels * plane;
        int tiles = (taps + VectorGemmKernel.TILE_ROWS - 1) / VectorGemmKernel.TILE_ROWS;
        int parts = Math.min(Runtime.getRuntime().availableProcessors(), tiles);
        int[] panelRows = new int[plane];
        for (int p = 0; p < plane; p++) {
            panelRows[p] = p * outChannels;
        }
        Parallel.forRange(parts, (long) w.batch() * image * taps / parts, (from, to) -> {
            // Room past the last panel row, so that the product's last tile of columns runs whole (RowsAt).
            float[] transposed = new float[image + CpuGemm.PANEL_WIDTH];
            CpuGemm.RowsAt panel = new CpuGemm.RowsAt(transposed, panelRows);
            for (int part = from; part < to; part++) {
                int first = Math.min(taps, tiles * part / parts * VectorGemmKernel.TILE_ROWS);
                int end = Math.min(taps, tiles * (part + 1) / parts * VectorGemmKernel.TILE_ROWS);
                float[] rows = new float[(end - first) * plane];
                for (int n = 0; n < w.batch(); n++) {
                    for (int r = first; r < end; r++) {
                        CpuWindows.unfold(x, w, n, r, 0, plane, rows, (r - first) * plane);
                    }
                    transpose(dy, n * image, outChannels, plane, transposed);
                    CpuGemm.multiplyTransposedOut(new Operand(rows, 0, 0, false), panel, end - first, plane,
                            outChannels, dw, first, taps, n > 0);
                }
            }
        });
    }

    /**
     * {@code out[p * rows + o] = src[offset + o * columns + p]}: eight rows at a time, so that each write fills
     * eight neighbouring cells.
     */
    private static void transpose(float[] src, int offset, int rows, int columns, float[] out) {
        int o = 0;
        for (; o + 7 < rows; o += 8) {
            int s0 = offset + o * columns;
            for (int p = 0; p < columns; p++) {
                int d = p * rows + o;
                int s = s0 + p;
                out[d] = src[s];
                out[d + 1] = src[s + columns];
                out[d + 2] = src[s + 2 * columns];
                out[d + 3] = src[s + 3 * columns];
                out[d + 4] = src[s + 4 * columns];
                out[d + 5] = src[s + 5 * columns];
                out[d + 6] = src[s + 6 * columns];
                out[d + 7] = src[s + 7 * columns];
            }
        }
        for (; o < rows; o++) {
            for (int p = 0; p < columns; p++) {
                out[p * rows + o] = src[offset + o * columns + p];
            }
        }
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
