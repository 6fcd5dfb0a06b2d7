package io.jqi.tensor;

import io.jqi.tensor.CpuGemm.Operand;
import java.util.function.Supplier;

/**
 * Convolution on the CPU image by image: per image, the weights times its im2col matrix, written straight into that
 * image's NCHW output. The forward of an ungrouped convolution never builds that matrix for a large image: at stride 1
 * the product reads its rows in place from the zero-padded image ({@link PaddedImage}), at other strides it packs its
 * panels from the image's windows ({@link CpuGemm.PanelSource}); small images go several at a time, their matrix
 * built once per chunk in scratch. The gradients of an ungrouped convolution build it a block of
 * rows at a time, in scratch that stays in the level-2 cache, for images of any size (small ones a few at a time);
 * grouped ones one image large. The batch-wide composition of {@link Backend#conv2d} (an im2col
 * matrix {@code kernelHeight * kernelWidth} times the input, a product laid out [outChannels, batch, ...] and a
 * permuted copy of it) computes every output element from the same operands in the same order, so the bits are the
 * same (docs/performance.md#peak-memory says why this matters).
 *
 * <p>Forward and input gradient: every image is independent, so with enough images they are spread over the threads,
 * each running its products on its own; with few, the images go one after another and each product is spread
 * instead. Weight gradient: one sum per weight over all images, so the images go in order, each product accumulating
 * into the gradient ({@link CpuGemm#multiply(Operand, CpuGemm.PanelSource, int, int, int, float[], int, boolean,
 * boolean)}), which continues every element's sum exactly where the previous images left it; the threads share the
 * weights out between them instead of the images.
 */
final class CpuConvolution {
    /** The fewest positions a gradient's product sums over, when the images are small enough to group. */
    private static final int DEEP_PRODUCT = 256;

    private CpuConvolution() {
    }

    /**
     * Whether to convolve a grouped convolution image by image: when an image has at least
     * {@link CpuGemm#SHORT_VECTOR} output positions. With fewer, each image's product is too narrow for the GEMM's
     * vector loops and it would multiply the transposed product instead, gathering the whole weight matrix transposed
     * for every image; the batch-wide composition is faster there. Ungrouped convolutions group small images instead
     * ({@link #forward}, {@link #inputGrad}, {@link #weightGrad}), whatever this says.
     */
    static boolean imageByImage(Window2d w) {
        return w.outHeight() * w.outWidth() >= CpuGemm.SHORT_VECTOR;
    }

    /**
     * Whether {@link #forward} is the faster way for this convolution: image by image, or ungrouped with at least
     * {@link CpuGemm#SHORT_VECTOR} output positions in the whole batch (small images then go several at a time).
     * Below that, the batch-wide composition multiplies the transposed product and its im2col matrix is small.
     */
    static boolean servesForward(Window2d w, int groups) {
        return imageByImage(w) || groups == 1 && (long) w.batch() * w.outHeight() * w.outWidth()
                >= CpuGemm.SHORT_VECTOR;
    }

    static float[] forward(float[] x, float[] weight, Window2d w, int outChannels, int groups) {
        ConvolutionShape c = shape(w, outChannels, groups);
        int image = outChannels * c.plane();
        float[] out = new float[w.batch() * image];
        Operand weights = new Operand(weight, 0, c.rows() * c.taps(), false);
        if (groups == 1 && imagesPerPanel(w, c.plane()) > 1) {
            forwardInChunks(x, weights, w, c, out);
            return out;
        }
        if (groups == 1 && readsPaddedImage(w)) {
            PaddedImage padded = new PaddedImage(w);
            int[] offsets = padded.rowOffsets();
            int columns = padded.columns();
            forEachImage(w, c, () -> new float[][] {padded.scratch(), new float[c.rows() * columns]},
                    (n, scratch, parallel) -> {
                        padded.fill(x, n, scratch[0]);
                        CpuGemm.multiply(weights, new CpuGemm.RowsAt(scratch[0], offsets), c.rows(), c.taps(),
                                columns, scratch[1], 0, false, parallel);
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
                    }, c.rows(), c.taps(), c.plane(), out, n * image, false, parallel));
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
     * The ungrouped forward of images of fewer positions than a panel is wide, several at a time: their im2col
     * matrix side by side, unfolded once into scratch and read in place by the product ({@link CpuGemm.RowsAt}), then
     * the product copied out in NCHW order. The batch-wide matrix of ResNet-18's 7x7 layers took 29 MB, and a
     * product of one small image is too narrow for the GEMM's vector loops. Packing the panels from the windows
     * instead unfolds them again for every unit of rows: ResNet-18's 4x4 layers ran a tenth slower that way.
     */
    private static void forwardInChunks(float[] x, Operand weights, Window2d w, ConvolutionShape c, float[] out) {
        int plane = c.plane();
        int taps = c.taps();
        int image = c.rows() * plane;
        int chunk = imagesPerPanel(w, plane);
        // Per thread: the chunk's im2col matrix, with room past its last row for the product's last tile of columns
        // (RowsAt); the product.
        Supplier<float[][]> scratch = () -> new float[][] {new float[taps * chunk * plane + CpuGemm.PANEL_WIDTH],
            new float[c.rows() * chunk * plane]};
        forEachChunk(w, c, chunk, scratch, (n0, images, buffers, parallel) -> {
            int columns = images * plane;
            int[] rows = new int[taps];
            for (int r = 0; r < taps; r++) {
                rows[r] = r * columns;
                CpuWindows.unfold(x, w, n0, images, r, 0, plane, buffers[0], rows[r]);
            }
            CpuGemm.multiply(weights, new CpuGemm.RowsAt(buffers[0], rows), c.rows(), taps, columns, buffers[1], 0,
                    false, parallel);
            for (int g = 0; g < images; g++) {
                for (int o = 0; o < c.rows(); o++) {
                    System.arraycopy(buffers[1], o * columns + g * plane, out, (n0 + g) * image + o * plane, plane);
                }
            }
        });
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
            CpuWindows.col2imChannels(columns, c.plane(), 0, w, n, 0, w.channels(), dx);
        });
        return dx;
    }

    /**
     * The ungrouped input gradient, a block of input channels at a time: per image and block, the block's rows of the
     * im2col gradient {@code W^T dY} (as many rows as a GEMM unit holds), folded into {@code dx} at once. The block
     * is still in the level-2 cache when it is folded, where the image's whole im2col gradient (1.8 MB for
     * ResNet-18's 64-channel 28x28 layers) went out to memory and came back; and the output gradient, the product's
     * panel, is read in place ({@link CpuGemm.RowsAt}) instead of packed again for every unit of rows. Images of
     * fewer positions than a panel is wide go several at a time, their output gradients copied side by side, so
     * that the panel's rows stay long. Each element of the im2col gradient is the same sum as before, and each input
     * cell still receives its channel's taps in window order, so the bits are the same.
     */
    private static void inputGradByChannels(float[] weight, float[] dy, Window2d w, ConvolutionShape c, float[] dx) {
        int kernel = w.kernelSize();
        int outChannels = c.rows();
        int plane = c.plane();
        int image = outChannels * plane;
        // Where the forward reads the padded image in place, the gradient folds onto padded planes in one stretch a
        // row (PaddedImage.fold): each image's output gradient is widened to the padded rows' columns first.
        PaddedImage padded = readsPaddedImage(w) ? new PaddedImage(w) : null;
        // Finite weights times the widened gradients' zero margins give +0 there, as the fold needs; others are
        // cleared (margins of a row cost as much to clear as the row to fold). The widened images start at multiples
        // of positions whatever the chunk, so their margins are the same cells of the scratch each time, never
        // written.
        boolean clearMargins = padded != null && !allFinite(weight);
        int positions = padded == null ? plane : padded.columns();
        int block = Math.max(1, Math.min(w.channels(), CpuGemm.ROWS_PER_UNIT / kernel));
        int chunk = imagesPerPanel(w, positions);
        boolean inPlace = chunk == 1 && padded == null;
        // W^T, [channels * kernel, outChannels]: a block's scalar rows lie next to each other.
        float[] transposed = new float[c.taps() * outChannels];
        transpose(weight, 0, outChannels, c.taps(), transposed, 0);
        // Per thread: the block's im2col gradient; unless read in place, the output gradients (widened, or for
        // chunks of several images side by side), with room past the last row for the product's last tile of
        // columns (RowsAt); and a padded plane to fold onto.
        Supplier<float[][]> scratch = () -> new float[][] {new float[block * kernel * chunk * positions],
            inPlace ? null : new float[outChannels * chunk * positions + CpuGemm.PANEL_WIDTH],
            padded == null ? null : padded.plane()};
        forEachChunk(w, c, chunk, scratch, (n0, images, buffers, parallel) -> {
            int columns = images * positions;
            int[] rows = new int[outChannels];
            float[] gradients = inPlace ? dy : buffers[1];
            for (int o = 0; o < outChannels; o++) {
                rows[o] = inPlace ? n0 * image + o * plane : o * columns;
            }
            for (int g = 0; g < images && !inPlace; g++) {
                if (padded != null) {
                    padded.widen(dy, (n0 + g) * image, outChannels, gradients, g * positions, columns);
                    continue;
                }
                for (int o = 0; o < outChannels; o++) {
                    System.arraycopy(dy, (n0 + g) * image + o * plane, gradients, o * columns + g * plane, plane);
                }
            }
            CpuGemm.RowsAt gradient = new CpuGemm.RowsAt(gradients, rows);
            for (int c0 = 0; c0 < w.channels(); c0 += block) {
                int channels = Math.min(block, w.channels() - c0);
                CpuGemm.multiply(new Operand(transposed, c0 * kernel * outChannels, 0, false), gradient,
                        channels * kernel, outChannels, columns, buffers[0], 0, false, parallel);
                for (int g = 0; g < images; g++) {
                    if (padded != null) {
                        padded.fold(buffers[0], columns, g * positions, channels, clearMargins, buffers[2], dx,
                                ((n0 + g) * w.channels() + c0) * w.height() * w.width());
                    } else {
                        CpuWindows.col2imChannels(buffers[0], columns, g * plane, w, n0 + g, c0, channels, dx);
                    }
                }
            }
        });
    }

    private static boolean allFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
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
     * over the threads. Each thread unfolds only its rows of a few images at a time and multiplies them, as scalar
     * rows, by those images' output gradient transposed, the panel: {@code outChannels} wide, transposed once per
     * image for all the threads, and read in place ({@link CpuGemm.RowsAt}). Multiplied the other
     * way round, the panel is the im2col matrix transposed, taps wide, and every unit of rows gathered it again: half
     * the weight gradient's time went to that gather in the cnn's training step
     * (docs/performance.md#seventh-pass-2026-12-07-the-weight-gradient-split-by-taps). Images of few positions go
     * {@link #imagesPerProduct} at a time, so that each product is deep enough to pay for loading its accumulators.
     * Each weight's sum is still one thread's, over the positions of the images in order, as in the batch-wide
     * product, so the bits are the same.
     */
    private static void weightGradByTaps(float[] x, float[] dy, Window2d w, ConvolutionShape c, float[] dw) {
        int taps = c.taps();
        int plane = c.plane();
        int outChannels = c.rows();
        int image = outChannels * plane;
        int chunk = imagesPerProduct(w);
        int tiles = (taps + VectorGemmKernel.TILE_ROWS - 1) / VectorGemmKernel.TILE_ROWS;
        int parts = Math.min(Runtime.getRuntime().availableProcessors(), tiles);
        // The output gradient transposed, image by image ([n][position][outChannel]), once for all the threads: each
        // thread transposing it for itself cost the cnn's 9-tap first layer more than its products. Room past the
        // last row, so that the product's last tile of columns runs whole (RowsAt).
        float[] transposed = new float[w.batch() * image + CpuGemm.PANEL_WIDTH];
        Parallel.forRange(w.batch(), image, (from, to) -> {
            for (int n = from; n < to; n++) {
                transpose(dy, n * image, outChannels, plane, transposed, n * image);
            }
        });
        Parallel.forRange(parts, (long) w.batch() * image * taps / parts, (from, to) -> {
            for (int part = from; part < to; part++) {
                int first = Math.min(taps, tiles * part / parts * VectorGemmKernel.TILE_ROWS);
                int end = Math.min(taps, tiles * (part + 1) / parts * VectorGemmKernel.TILE_ROWS);
                int block = Math.min(end - first, CpuGemm.ROWS_PER_UNIT);
                float[] rows = new float[block * chunk * plane];
                // The thread's columns of dw, transposed ([tap][outChannel]) so that the products continue their
                // sums in rows, not in a gather and scatter across dw; put in place once, at the end.
                float[] sums = new float[(end - first) * outChannels];
                for (int n0 = 0; n0 < w.batch(); n0 += chunk) {
                    int images = Math.min(chunk, w.batch() - n0);
                    int depth = images * plane;
                    int[] panelRows = new int[depth];
                    for (int p = 0; p < depth; p++) {
                        panelRows[p] = (n0 * plane + p) * outChannels;
                    }
                    CpuGemm.RowsAt panel = new CpuGemm.RowsAt(transposed, panelRows);
                    // A block of rows at a time, unfolded just before the product reads them: the thread's whole
                    // share (2.4 MB for ResNet-18's 4x4 layers) went out of the level-2 cache and back.
                    for (int r0 = first; r0 < end; r0 += block) {
                        int r1 = Math.min(end, r0 + block);
                        for (int r = r0; r < r1; r++) {
                            CpuWindows.unfold(x, w, n0, images, r, 0, plane, rows, (r - r0) * depth);
                        }
                        CpuGemm.multiply(new Operand(rows, 0, 0, false), panel, r1 - r0, depth, outChannels, sums,
                                (r0 - first) * outChannels, n0 > 0, false);
                    }
                }
                for (int o = 0; o < outChannels; o++) {
                    for (int t = first; t < end; t++) {
                        dw[o * taps + t] = sums[(t - first) * outChannels + o];
                    }
                }
            }
        });
    }

    /** Images side by side in a product whose panel holds {@code positions} columns of each: one for large images. */
    private static int imagesPerPanel(Window2d w, int positions) {
        return Math.max(1, Math.min(w.batch(), CpuGemm.PANEL_WIDTH / Math.max(1, positions)));
    }

    /**
     * Images per product in the weight gradient: enough that each product sums over at least {@link #DEEP_PRODUCT}
     * positions (ResNet-18's 7x7 layers take 6 images, its 4x4 ones 16), one for images that large.
     */
    private static int imagesPerProduct(Window2d w) {
        int plane = w.outHeight() * w.outWidth();
        return Math.max(1, Math.min(w.batch(), (DEEP_PRODUCT + plane - 1) / Math.max(1, plane)));
    }

    /**
     * {@code out[dst + p * rows + o] = src[offset + o * columns + p]}: eight rows at a time, so that each write fills
     * eight neighbouring cells.
     */
    private static void transpose(float[] src, int offset, int rows, int columns, float[] out, int dst) {
        int o = 0;
        for (; o + 7 < rows; o += 8) {
            int s0 = offset + o * columns;
            for (int p = 0; p < columns; p++) {
                int d = dst + p * rows + o;
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
                out[dst + p * rows + o] = src[offset + o * columns + p];
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

    /** Work on images {@code [n0, n0 + images)} with {@code scratch}, this thread's. */
    private interface ImagesBody<S> {
        void run(int n0, int images, S scratch, boolean parallelProducts);
    }

    /** Runs {@code body} for every image, as {@link #forEachChunk} does with chunks of one. */
    private static <S> void forEachImage(Window2d w, ConvolutionShape c, Supplier<S> scratch, ImageBody<S> body) {
        forEachChunk(w, c, 1, scratch, (n0, images, mine, parallel) -> body.run(n0, mine, parallel));
    }

    /**
     * Runs {@code body} for the images in chunks of {@code chunk} (the last may be shorter): spread over the threads,
     * one scratch per thread's range of chunks, when there are at least two chunks per thread; otherwise in order
     * with one scratch, each product parallel.
     */
    private static <S> void forEachChunk(Window2d w, ConvolutionShape c, int chunk, Supplier<S> scratch,
            ImagesBody<S> body) {
        int threads = Runtime.getRuntime().availableProcessors();
        int chunks = (w.batch() + chunk - 1) / chunk;
        if (threads > 1 && chunks >= 2 * threads) {
            Parallel.forRange(chunks, (long) columnsSize(w, c) * c.rows() * chunk, (from, to) -> {
                S mine = scratch.get();
                for (int i = from; i < to; i++) {
                    body.run(i * chunk, Math.min(chunk, w.batch() - i * chunk), mine, false);
                }
            });
            return;
        }
        S mine = scratch.get();
        for (int i = 0; i < chunks; i++) {
            body.run(i * chunk, Math.min(chunk, w.batch() - i * chunk), mine, true);
        }
    }
}
