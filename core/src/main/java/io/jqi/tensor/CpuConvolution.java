package io.jqi.tensor;

import io.jqi.tensor.CpuGemm.Operand;

/**
 * Convolution on the CPU image by image: per image, its im2col matrix (one image large, reused) times the weights,
 * written straight into that image's NCHW output. The batch-wide composition of {@link Backend#conv2d} (an im2col
 * matrix {@code kernelHeight * kernelWidth} times the input, a product laid out [outChannels, batch, ...] and a
 * permuted copy of it) computes every output element from the same operands in the same order, so the bits are the
 * same (docs/performance.md#peak-memory says why this matters).
 *
 * <p>Forward and input gradient: every image is independent, so with enough images they are spread over the threads,
 * each running its products on its own; with few, the images go one after another and each product is spread
 * instead. Weight gradient: one sum per weight over all images, so the images go in order, each product accumulating
 * into the gradient ({@link CpuGemm#multiply(Operand, Operand, int, int, int, int, float[], int, boolean, boolean)}),
 * which continues every element's sum exactly where the previous image left it.
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
        forEachImage(w, c, (n, columns, parallel) -> {
            CpuWindows.im2colImage(x, w, n, columns);
            CpuGemm.multiply(new Operand(weight, 0, c.rows() * c.taps(), false),
                    new Operand(columns, 0, c.taps() * c.plane(), false), groups, c.rows(), c.taps(), c.plane(), out,
                    n * image, false, parallel);
        });
        return out;
    }

    static float[] inputGrad(float[] weight, float[] dy, Window2d w, int outChannels, int groups) {
        ConvolutionShape c = shape(w, outChannels, groups);
        int image = outChannels * c.plane();
        float[] dx = new float[w.inputSize()];
        forEachImage(w, c, (n, columns, parallel) -> {
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
        float[] columns = new float[w.channels() * w.kernelSize() * c.plane()];
        for (int n = 0; n < w.batch(); n++) {
            CpuWindows.im2colImage(x, w, n, columns);
            CpuGemm.multiply(new Operand(dy, n * image, c.rows() * c.plane(), false),
                    new Operand(columns, 0, c.taps() * c.plane(), true), groups, c.rows(), c.plane(), c.taps(), dw, 0,
                    n > 0, true);
        }
        return dw;
    }

    private static ConvolutionShape shape(Window2d w, int outChannels, int groups) {
        ConvolutionShape.requireImageColumns(w);
        return new ConvolutionShape(w, outChannels, groups);
    }

    /** Work on image {@code n} with {@code columns}, scratch for one image's im2col matrix. */
    private interface ImageBody {
        void run(int n, float[] columns, boolean parallelProducts);
    }

    /**
     * Runs {@code body} for every image: spread over the threads, a scratch matrix per chunk of images, when there
     * are at least two images per thread; otherwise in order with one scratch matrix, each product parallel.
     */
    private static void forEachImage(Window2d w, ConvolutionShape c, ImageBody body) {
        int scratch = w.channels() * w.kernelSize() * c.plane();
        int threads = Runtime.getRuntime().availableProcessors();
        if (threads > 1 && w.batch() >= 2 * threads) {
            Parallel.forRange(w.batch(), (long) scratch * c.rows(), (from, to) -> {
                float[] columns = new float[scratch];
                for (int n = from; n < to; n++) {
                    body.run(n, columns, false);
                }
            });
            return;
        }
        float[] columns = new float[scratch];
        for (int n = 0; n < w.batch(); n++) {
            body.run(n, columns, true);
        }
    }
}
