package io.jqi.ptq;

import java.io.Serializable;

/**
 * The activation statistics of post-training quantization (docs/quantizer-contract.md#ptq-statistics): counts in
 * equal-width bins, built like {@code numpy.histogram(x, bins)} and merged across batches like the reference's lazy
 * merge. Immutable.
 *
 * <p>Binning follows numpy: {@code bins + 1} edges from {@code linspace(min, max)}, every bin half-open except the
 * last, which also holds the maximum; when every value is the same, the edges span {@code (v - 0.5, v + 0.5)}.
 * jqi computes the edges in double (numpy uses the input's float32 for float32 data), so a value lying within a
 * float ulp of an edge may land one bin apart from numpy's.
 *
 * <p>{@link #min()} and {@link #max()} are the smallest and largest values seen, which are the outer edges except
 * for constant data, where the edges are widened by 0.5 and the values are not.
 */
public final class Histogram implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The reference's bin count. */
    public static final int BINS = 2048;

    private final double[] edges;
    private final double[] counts;
    private final double min;
    private final double max;
    private final double total;

    private Histogram(double[] edges, double[] counts, double min, double max) {
        this.edges = edges;
        this.counts = counts;
        this.min = min;
        this.max = max;
        double sum = 0;
        for (double c : counts) {
            sum += c;
        }
        this.total = sum;
    }

    /** The histogram of {@code values} in {@link #BINS} bins. */
    public static Histogram of(float[] values) {
        return of(values, BINS);
    }

    /**
     * The histogram of {@code values} in {@code bins} equal-width bins between their min and max.
     *
     * @throws IllegalArgumentException when {@code values} is empty, holds NaN or infinities, or {@code bins < 1}
     */
    public static Histogram of(float[] values, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("A histogram needs at least one bin, got " + bins);
        }
        if (values.length == 0) {
            throw new IllegalArgumentException("A histogram needs at least one value, got none");
        }
        ValueRange range = ValueRange.of(values);
        if (range.nonFinite() > 0) {
            throw new IllegalArgumentException("Statistics must be finite, but " + range.nonFinite() + " of "
                    + values.length + " values are NaN or infinite");
        }
        return of(values, bins, range.min(), range.max());
    }

    /**
     * The histogram of finite {@code values} whose smallest and largest are {@code lo} and {@code hi}, for a caller
     * that has scanned them already.
     */
    static Histogram of(float[] values, int bins, double lo, double hi) {
        // The counts are exact whatever the order, so chunks may run on any thread.
        int n = values.length;
        int chunks = Chunks.count(n);
        boolean constant = lo == hi;
        double first = constant ? lo - 0.5 : lo;
        double last = constant ? hi + 0.5 : hi;
        double[] edges = Linspace.of(first, last, bins + 1);
        double norm = bins / (last - first);
        int[][] chunkCounts = new int[chunks][];
        Chunks.forEach(chunks, n, k -> {
            int[] c = new int[bins];
            for (int i = k * Chunks.SIZE, end = Math.min(n, i + Chunks.SIZE); i < end; i++) {
                c[binOf(values[i], edges, first, norm)]++;
            }
            chunkCounts[k] = c;
        });
        double[] counts = new double[bins];
        for (int[] c : chunkCounts) {
            for (int b = 0; b < bins; b++) {
                counts[b] += c[b];
            }
        }
        return new Histogram(edges, counts, lo, hi);
    }

    /**
     * numpy's bin search for equal-width bins: a first guess from the scaled offset, corrected by one bin where
     * float rounding put the value on the wrong side of an edge. The last bin is closed on the right.
     */
    private static int binOf(double v, double[] edges, double first, double norm) {
        int bins = edges.length - 1;
        int i = (int) ((v - first) * norm);
        if (i >= bins) {
            i = bins - 1;
        }
        if (v < edges[i]) {
            i--;
        } else if (v >= edges[i + 1] && i != bins - 1) {
            i++;
        }
        return i;
    }

    /**
     * This histogram and {@code other} as one, on {@code linspace(globalMin, globalMax, bins() + 1)} edges (the
     * outer edges of both): each input's cumulative count is interpolated linearly at the new edges and the new
     * counts are the differences, so the total is kept up to floating-point rounding while counts inside a bin
     * spread evenly over it. The result has this histogram's bin count.
     */
    public Histogram merge(Histogram other) {
        int bins = counts.length;
        double[] merged = Linspace.of(Math.min(edges[0], other.edges[0]),
                Math.max(edges[bins], other.edges[other.counts.length]), bins + 1);
        double[] cumulative = cumulativeAt(merged);
        double[] otherCumulative = other.cumulativeAt(merged);
        double[] mergedCounts = new double[bins];
        for (int k = 0; k < bins; k++) {
            mergedCounts[k] = (cumulative[k + 1] + otherCumulative[k + 1]) - (cumulative[k] + otherCumulative[k]);
        }
        return new Histogram(merged, mergedCounts, Math.min(min, other.min), Math.max(max, other.max));
    }

    /** {@code numpy.interp(points, edges, cumsum)}: the count below each of the ascending {@code points}. */
    private double[] cumulativeAt(double[] points) {
        int bins = counts.length;
        double[] cumulative = new double[bins + 1];
        for (int k = 0; k < bins; k++) {
            cumulative[k + 1] = cumulative[k] + counts[k];
        }
        double[] out = new double[points.length];
        int j = 0;
        for (int i = 0; i < points.length; i++) {
            double x = points[i];
            if (x <= edges[0]) {
                out[i] = 0;
            } else if (x >= edges[bins]) {
                out[i] = cumulative[bins];
            } else {
                while (edges[j + 1] <= x) {
                    j++;
                }
                double slope = (cumulative[j + 1] - cumulative[j]) / (edges[j + 1] - edges[j]);
                out[i] = cumulative[j] + slope * (x - edges[j]);
            }
        }
        return out;
    }

    public int bins() {
        return counts.length;
    }

    /** The {@code bins() + 1} ascending bin edges (a copy). */
    public double[] edges() {
        return edges.clone();
    }

    /** The count of each bin (a copy); fractional after a merge. */
    public double[] counts() {
        return counts.clone();
    }

    /** The smallest value seen. */
    public double min() {
        return min;
    }

    /** The largest value seen. */
    public double max() {
        return max;
    }

    /** The sum of the counts: the number of values seen, up to rounding after merges. */
    public double total() {
        return total;
    }

    /** Left edge of bin {@code k}, without copying. */
    double leftEdge(int k) {
        return edges[k];
    }

    /** Count of bin {@code k}, without copying. */
    double count(int k) {
        return counts[k];
    }
}
