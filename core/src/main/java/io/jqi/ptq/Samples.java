package io.jqi.ptq;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.Grid;
import io.jqi.grid.RoundingMode;

/**
 * What a search scores candidates on: {@code channels} rows of values, each row's error the weighted mean of
 * {@code |Q(x) - x|^p} over its values (docs/quantizer-contract.md#threshold-selection). Weight tensors weigh every
 * value 1, a plain mean; a histogram is one row of left bin edges weighted by the bin counts
 * ({@code sum(counts * |Q(edge) - edge|^p) / sum(counts)}).
 *
 * <p>The quantized image is always the grid of {@link Grid}, half-even, so a search scores exactly what the
 * quantizer built from its result will compute.
 */
final class Samples {
    private final float[] values;
    private final int channels;
    private final int length;
    /** Weight of each position in a row, or null where every value weighs 1. */
    private final double[] weights;
    private final double weightTotal;
    private final ErrorNorm norm;
    private final float[] image;

    private Samples(float[] values, int channels, int length, double[] weights, double weightTotal, ErrorNorm norm) {
        this.values = values;
        this.channels = channels;
        this.length = length;
        this.weights = weights;
        this.weightTotal = weightTotal;
        this.norm = norm;
        this.image = new float[values.length];
    }

    static Samples of(ChannelValues rows, ErrorNorm norm) {
        return new Samples(rows.values, rows.channels, rows.length, null, rows.length, norm);
    }

    /** The left edges of {@code h}'s bins, weighted by their counts; the right-most edge is not scored. */
    static Samples of(Histogram h, ErrorNorm norm) {
        return of(h, norm, 0f);
    }

    /** {@link #of(Histogram, ErrorNorm)} with every edge moved by {@code shift}, added in float. */
    static Samples of(Histogram h, ErrorNorm norm, float shift) {
        int bins = h.bins();
        float[] edges = new float[bins];
        double[] counts = new double[bins];
        for (int k = 0; k < bins; k++) {
            edges[k] = (float) h.leftEdge(k) + shift;
            counts[k] = h.count(k);
        }
        return new Samples(edges, 1, bins, counts, h.total(), norm);
    }

    int channels() {
        return channels;
    }

    /** Error of each row on the symmetric grid of its threshold. */
    double[] symmetricError(float[] thresholds, int bits, boolean signed) {
        return rowErrors(AffineGrid.symmetric(thresholds, bits, signed, RoundingMode.HALF_EVEN), null);
    }

    /**
     * Error of each row on the uniform grid of its range (after the zero-alignment adjustment). A range that is
     * exactly {@code [0, 0]} (a row of zeros searched from its own range) has no grid; its image is all zeros.
     */
    double[] uniformError(float[] min, float[] max, int bits) {
        boolean[] empty = new boolean[channels];
        float[] lo = min.clone();
        float[] hi = max.clone();
        for (int c = 0; c < channels; c++) {
            if (min[c] == 0f && max[c] == 0f) {
                empty[c] = true;
                lo[c] = -1f;
                hi[c] = 1f;
            }
        }
        return rowErrors(AffineGrid.uniform(lo, hi, bits, RoundingMode.HALF_EVEN), empty);
    }

    /**
     * Each row's weighted mean error on {@code grid}. A row is cut into {@link Chunks} of values; each block
     * quantizes its values and sums their errors in double into eight interleaved partial sums, added in a fixed
     * order, and a row adds its blocks' sums in order. Blocks run in parallel, but every sum has one order, so the
     * result does not depend on the thread count (docs/quantizer-contract.md#threshold-selection).
     */
    private double[] rowErrors(AffineGrid grid, boolean[] zeroImage) {
        int blocks = Chunks.count(length);
        double[] partial = new double[channels * blocks];
        float[] steps = grid.steps();
        float[] zeroPoints = grid.zeroPoints();
        Chunks.forEach(partial.length, (long) channels * length, k -> {
            int c = k / blocks;
            int from = c * length + (k % blocks) * Chunks.SIZE;
            int to = Math.min(from + Chunks.SIZE, (c + 1) * length);
            boolean zero = zeroImage != null && zeroImage[c];
            if (!zero) {
                AffineGrid.fakeQuantRange(values, image, from, to, steps[c], zeroPoints[c], grid.qmin(),
                        grid.qmax());
            }
            partial[k] = blockError(from, to, c * length, zero);
        });
        double[] out = new double[channels];
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int b = 0; b < blocks; b++) {
                sum += partial[c * blocks + b];
            }
            out[c] = sum / weightTotal;
        }
        return out;
    }

    /**
     * The summed (weighted) error of values {@code [from, to)} of the row starting at {@code rowStart}: eight partial
     * sums, value {@code i} into sum {@code (i - from) mod 8} up to the last multiple of eight and the rest into the
     * first, added as {@code ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))}.
     */
    private double blockError(int from, int to, int rowStart, boolean zero) {
        // Eight independent sums keep the adder busy: one chain of additions waited on each previous one.
        double[] s = new double[8];
        int i = from;
        for (int end = to - 8; i <= end; i += 8) {
            for (int j = 0; j < 8; j++) {
                s[j] += error(i + j, rowStart, zero);
            }
        }
        for (; i < to; i++) {
            s[0] += error(i, rowStart, zero);
        }
        return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    }

    private double error(int i, int rowStart, boolean zero) {
        double e = norm.of((zero ? 0.0 : (double) image[i]) - values[i]);
        return weights == null ? e : weights[i - rowStart] * e;
    }
}
