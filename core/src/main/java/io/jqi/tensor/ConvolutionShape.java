package io.jqi.tensor;

/**
 * The matrix shapes of a grouped convolution lowered to im2col: per group, {@code rows} output channels times
 * {@code taps} (input channels of the group times kernel cells) weights, over {@code plane} output positions per
 * image and {@code positions} in the batch.
 */
record ConvolutionShape(int rows, int taps, int plane, int positions) {
    /** Swaps the two outer axes of a rank-3 shape: [outChannels, batch, plane] and [batch, outChannels, plane]. */
    static final int[] SWAP_OUTER = {1, 0, 2};

    ConvolutionShape(Window2d window, int outChannels, int groups) {
        this(outChannels / groups, window.channels() / groups * window.kernelSize(),
                window.outHeight() * window.outWidth(), window.batch() * window.outHeight() * window.outWidth());
    }

    /** Requires that the whole batch's im2col matrix, {@code [channels * kernelSize, positions]}, can exist. */
    static void requireBatchColumns(Window2d w) {
        requireColumns(w, w.batch(), "split the batch");
    }

    /** Requires that one image's im2col matrix, {@code [channels * kernelSize, plane]}, can exist. */
    static void requireImageColumns(Window2d w) {
        requireColumns(w, 1, "use a smaller input or fewer channels");
    }

    private static void requireColumns(Window2d w, int images, String advice) {
        long size = (long) w.channels() * w.kernelSize() * images * w.outHeight() * w.outWidth();
        if (size > Shape.MAX_ELEMENTS) {
            throw new IllegalArgumentException("conv2d: the im2col matrix of " + images + " image(s) of input ["
                    + w.batch() + ", " + w.channels() + ", " + w.height() + ", " + w.width() + "] would hold " + size
                    + " values, more than one array can (" + Shape.MAX_ELEMENTS + "); " + advice);
        }
    }
}
