package io.jqi.tensor;

import java.util.Arrays;

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
 *
 * <p>The input gradient runs the same layout backwards: {@link #widen} lays the output gradient out in the padded
 * rows' columns, and {@link #fold} adds each row of the im2col gradient onto a padded plane in one stretch.
 */
final class PaddedImage {
    /** Zeros after the last plane, past which no row is read: room for the product's last tile to run whole. */
    private static final int SLACK = 128;

    private final Window2d w;
    private final int paddedHeight;
    private final int paddedWidth;
    /** Where each tap (ky, kx) of a window starts within its channel's plane. */
    private final int[] taps;

    PaddedImage(Window2d w) {
        this.w = w;
        this.paddedHeight = w.height() + 2 * w.padHeight();
        this.paddedWidth = w.width() + 2 * w.padWidth();
        int kw = w.kernelWidth();
        this.taps = new int[w.kernelSize()];
        for (int t = 0; t < taps.length; t++) {
            taps[t] = t / kw * w.dilationHeight() * paddedWidth + t % kw * w.dilationWidth();
        }
    }

    /** The product's columns: {@code outHeight} rows of the padded width, less the last row's margin. */
    int columns() {
        return (w.outHeight() - 1) * paddedWidth + w.outWidth();
    }

    /** Where im2col row r (channel, ky, kx) starts in {@link #scratch}. */
    int[] rowOffsets() {
        int[] offsets = new int[w.channels() * taps.length];
        for (int r = 0; r < offsets.length; r++) {
            offsets[r] = r / taps.length * paddedHeight * paddedWidth + taps[r % taps.length];
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

    /** Scratch for {@link #fold}: one padded plane. */
    float[] plane() {
        return new float[paddedHeight * paddedWidth];
    }

    /**
     * The adjoint of {@link #dropMargins}: {@code rows} planes of {@code outHeight x outWidth} from {@code src} at
     * {@code srcOffset} into a product's layout, plane r at {@code dst + r * rowStride}, {@link #columns} wide. The
     * margins keep what they held: in a fresh array, zeros for good.
     */
    void widen(float[] src, int srcOffset, int rows, float[] product, int dst, int rowStride) {
        int oh = w.outHeight();
        int ow = w.outWidth();
        for (int r = 0; r < rows; r++) {
            for (int y = 0; y < oh; y++) {
                System.arraycopy(src, srcOffset + (r * oh + y) * ow, product, dst + r * rowStride + y * paddedWidth,
                        ow);
            }
        }
    }

    /**
     * The adjoint of reading the im2col rows in place: adds the im2col gradient's rows of {@code count} channels
     * ({@code count * kernelSize} rows from {@code gradient[colOffset]}, {@code rowStride} apart, {@link #columns}
     * of a {@link #widen widened} output gradient each) onto the channels' planes of {@code dx} from
     * {@code dxOffset}. Each row goes onto a padded plane at its tap's offset in one stretch, where
     * {@link CpuWindows#col2imChannels} adds a stretch per output row; the image's cells are then copied out.
     *
     * <p>Same bits: every cell starts at +0 and gets its taps in window order, as there. The rows' margin columns
     * must hold +0, or {@code clearMargins} sets them to +0 first; a product of finite weights with margins of zeros
     * gives +0 there. The values that land in the image from the margins then add +0, which leaves any sum that
     * started at +0 unchanged (such a sum is never -0); what lands in the padding is dropped.
     */
    void fold(float[] gradient, int rowStride, int colOffset, int count, boolean clearMargins, float[] plane,
            float[] dx, int dxOffset) {
        int kernel = taps.length;
        int columns = columns();
        int height = w.height();
        int width = w.width();
        for (int c = 0; c < count; c++) {
            Arrays.fill(plane, 0f);
            for (int t = 0; t < kernel; t++) {
                int row = (c * kernel + t) * rowStride + colOffset;
                if (clearMargins) {
                    for (int y = 0; y < w.outHeight() - 1; y++) {
                        Arrays.fill(gradient, row + y * paddedWidth + w.outWidth(), row + (y + 1) * paddedWidth, 0f);
                    }
                }
                addInto(plane, taps[t], gradient, row, columns);
            }
            for (int y = 0; y < height; y++) {
                System.arraycopy(plane, (y + w.padHeight()) * paddedWidth + w.padWidth(), dx,
                        dxOffset + (c * height + y) * width, width);
            }
        }
    }

    private static void addInto(float[] dst, int d, float[] src, int s, int n) {
        if (VectorApi.ENABLED) {
            VectorAdd.addInto(dst, d, src, s, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            dst[d + i] += src[s + i];
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
