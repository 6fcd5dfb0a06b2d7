package io.jqi.ptq;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.ChannelLayout;
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
    private final ChannelLayout layout;
    private final float[] image;

    private Samples(float[] values, int channels, int length, double[] weights, double weightTotal, ErrorNorm norm) {
        this.values = values;
        this.channels = channels;
        this.length = length;
        this.weights = weights;
        this.weightTotal = weightTotal;
        this.norm = norm;
        this.layout = new ChannelLayout(1, channels, length);
        this.image = new float[values.length];
    }

    static Samples of(ChannelValues rows, ErrorNorm norm) {
        return new Samples(rows.values, rows.channels, rows.length, null, rows.length, norm);
    }

    /** The left edges of {@code h}'s bins, weighted by their counts; the right-most edge is not scored. */
    static Samples of(Histogram h, ErrorNorm norm) {
        int bins = h.bins();
        float[] edges = new float[bins];
        double[] counts = new double[bins];
        for (int k = 0; k < bins; k++) {
            edges[k] = (float) h.leftEdge(k);
            counts[k] = h.count(k);
        }
        return new Samples(edges, 1, bins, counts, h.total(), norm);
    }

    int channels() {
        return channels;
    }

    /** Error of each row on the symmetric grid of its threshold. */
    double[] symmetricError(float[] thresholds, int bits, boolean signed) {
        AffineGrid.symmetric(thresholds, bits, signed, RoundingMode.HALF_EVEN).apply(values, image, layout);
        return rowErrors(null);
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
        AffineGrid.uniform(lo, hi, bits, RoundingMode.HALF_EVEN).apply(values, image, layout);
        return rowErrors(empty);
    }

    private double[] rowErrors(boolean[] zeroImage) {
        double[] out = new double[channels];
        for (int c = 0; c < channels; c++) {
            boolean zero = zeroImage != null && zeroImage[c];
            double sum = 0;
            int base = c * length;
            for (int i = 0; i < length; i++) {
                double q = zero ? 0.0 : image[base + i];
                double e = norm.of(q - values[base + i]);
                sum += weights == null ? e : weights[i] * e;
            }
            out[c] = sum / weightTotal;
        }
        return out;
    }
}
