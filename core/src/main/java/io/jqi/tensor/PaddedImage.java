package io.jqi.tensor;

/**
 * One image of a stride-1 convolution's input with its zero padding written out, so that every row of its im2col
 * matrix is a stretch of this one array, read in place ({@link CpuGemm.RowsAt}) instead of unfolded.
 *
 * <p>Each channel becomes a plane of {@code (height + 2 padHeight) x (width + 2 padWidth)} cells with the image at
 * {@code (padHeight, padWidth)}. Output position {@code (y, x)} is then column {@code y * paddedWidth + x}, and
 * im2col row (channel, ky, kx) holds, at that column, the cell {@code rowOffset + y * paddedWidth + x} with
 * {@code rowOffset = channel * plane + ky * dilationHeight * paddedWidth + kx * dilationWidth}: the same value the
 * im2col matrix holds, so a product over these rows has the composed convolution's bits. The columns with
 * {@code x >= outWidth} read cells of the next row and give values that {@link #dropMargins} leaves out. Lanes
 * never mix in the product, so those values, NaN or not, reach nothing else.
 */
final class PaddedImage {
    /** Zeros after the last plane, past which no row is read: room for the product's last tile to run whole. */
    private static final int SLACK = 128;

    private final Window2d w;
    private final int paddedHeight;
    private final int paddedWidth;

    PaddedImage(Window2d w) {
        this.w = w;
        this.paddedHeight = w.height() + 2 * w.padHeight();
        this.paddedWidth = w.width() + 2 * w.padWidth();
    }

    /** The product's columns: {@code outHeight} rows of the padded width, less the last row's margin. */
    int columns() {
        return (w.outHeight() - 1) * paddedWidth + w.outWidth();
    }

    /** Where im2col row r (channel, ky, kx) starts in {@link #scratch}. */
    int[] rowOffsets() {
        int kh = w.kernelHeight();
        int kw = w.kernelWidth();
        int[] offsets = new int[w.channels() * kh * kw];
        for (int r = 0; r < offsets.length; r++) {
            offsets[r] = r / (kh * kw) * paddedHeight * paddedWidth
                    + (r / kw) % kh * w.dilationHeight() * paddedWidth + r % kw * w.dilationWidth();
        }
        return offsets;
    }

    /**
     * A fresh array for {@link #fill}: all zeros, so its padding cells are zeros for good ({@link #fill} writes only
     * the image's own cells).
     */
    float[] scratch() {
        return new float[Math.toIntExact((long) w.channels() * paddedHeight * paddedWidth + SLACK)];
    }

    /** Image {@code n} of the NCHW input {@code x} into its place in {@code scratch}. */
    void fill(float[] x, int n, float[] scratch) {
        int height = w.height();
        int width = w.width();
        for (int c = 0; c < w.channels(); c++) {
            int src = (n * w.channels() + c) * height * width;
            int dst = (c * paddedHeight + w.padHeight()) * paddedWidth + w.padWidth();
            for (int y = 0; y < height; y++) {
                System.arraycopy(x, src + y * width, scratch, dst + y * paddedWidth, width);
            }
        }
    }

    /**
     * The product ({@code rows x} {@link #columns}) into {@code out} from {@code dst} as {@code rows} planes of
     * {@code outHeight x outWidth}, each row's margin left out.
     */
    void dropMargins(float[] product, int rows, float[] out, int dst) {
        int oh = w.outHeight();
        int ow = w.outWidth();
        int columns = columns();
        for (int r = 0; r < rows; r++) {
            for (int y = 0; y < oh; y++) {
                System.arraycopy(product, r * columns + y * paddedWidth, out, dst + (r * oh + y) * ow, ow);
            }
        }
    }
}
