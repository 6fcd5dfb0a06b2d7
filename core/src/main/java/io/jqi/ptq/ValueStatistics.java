package io.jqi.ptq;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the representative data showed of one value of the model (a graph input or a node's output), folded batch
 * by batch from {@link ValueSummary summaries} (docs/quantizer-contract.md#ptq-statistics): min and max, the merged
 * histogram, and the per-channel means that bias correction asks for.
 */
final class ValueStatistics {
    private final String name;
    private final boolean histogram;
    private final Set<Integer> meanAxes = new TreeSet<>();
    private final Map<Integer, double[]> sums = new HashMap<>();
    private final Map<Integer, Long> counts = new HashMap<>();
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private Histogram merged;

    ValueStatistics(String name, boolean histogram) {
        this.name = name;
        this.histogram = histogram;
    }

    /**
     * Also keeps the per-channel mean along {@code axis} ({@link #LAST_AXIS} for the last axis, whatever the rank).
     */
    void keepMean(int axis) {
        meanAxes.add(axis);
    }

    /** The last axis, for layers (dense) that work along it. */
    static final int LAST_AXIS = Integer.MAX_VALUE;

    /**
     * What {@code value}, one batch's, shows: its range, its histogram when kept, and its channel sums from zero.
     * Reads nothing of this object's accumulated state, so any thread or machine with the same configuration makes
     * the same summary.
     */
    ValueSummary summarize(Tensor value) {
        float[] v = value.toFloatArray();
        if (v.length == 0) {
            return ValueSummary.EMPTY;
        }
        ValueRange range = ValueRange.of(v);
        if (range.nonFinite() > 0) {
            throw new IllegalArgumentException("The representative data makes '" + name + "' non-finite ("
                    + range.oneNonFinite() + "); check the data and the float model before quantizing");
        }
        Histogram h = histogram ? Histogram.of(v, Histogram.BINS, range.min(), range.max()) : null;
        TreeMap<Integer, double[]> channelSums = new TreeMap<>();
        for (int axis : meanAxes) {
            channelSums.put(axis, channelSums(axis, v, value.shape()));
        }
        return new ValueSummary(range.min(), range.max(), h, channelSums, v.length);
    }

    /**
     * Folds in the next batch's summary: min and max widened, the histogram merged, each channel's batch sum added
     * to its running sum (docs/quantizer-contract.md#ptq-statistics).
     */
    void add(ValueSummary batch) {
        if (batch.isEmpty()) {
            return;
        }
        min = Math.min(min, batch.min());
        max = Math.max(max, batch.max());
        if (histogram) {
            if (batch.histogram() == null) {
                throw new IllegalArgumentException("The summary of '" + name + "' has no histogram, which its "
                        + "statistics keep; it was made with another configuration");
            }
            merged = merged == null ? batch.histogram() : merged.merge(batch.histogram());
        }
        if (!batch.channelSums().keySet().equals(meanAxes)) {
            throw new IllegalArgumentException("The summary of '" + name + "' has channel sums along axes "
                    + batch.channelSums().keySet() + " where its statistics keep " + meanAxes + "; it was made with "
                    + "another configuration");
        }
        batch.channelSums().forEach((axis, batchSums) -> {
            double[] s = sums.get(axis);
            if (s == null) {
                sums.put(axis, batchSums.clone());
            } else if (s.length != batchSums.length) {
                throw new IllegalArgumentException("'" + name + "' changes its channel count between batches ("
                        + s.length + " then " + batchSums.length + ")");
            } else {
                for (int c = 0; c < s.length; c++) {
                    s[c] += batchSums[c];
                }
            }
            counts.merge(axis, batch.count() / batchSums.length, Long::sum);
        });
    }

    /** A statistics object like this one, with nothing seen yet. */
    ValueStatistics fresh() {
        ValueStatistics copy = new ValueStatistics(name, histogram);
        meanAxes.forEach(copy::keepMean);
        return copy;
    }

    /**
     * Each channel's values summed from zero in storage order, channels in parallel: the same sums on any thread
     * count.
     */
    private static double[] channelSums(int axisAsked, float[] v, Shape shape) {
        int axis = Math.min(axisAsked, shape.rank() - 1);
        int channels = shape.dim(axis);
        int inner = shape.sizeAfter(axis);
        double[] channelSums = new double[channels];
        int outer = v.length / (channels * inner);
        Chunks.forEach(channels, v.length, c -> {
            double sum = 0;
            for (int o = 0; o < outer; o++) {
                for (int i = (o * channels + c) * inner, end = i + inner; i < end; i++) {
                    sum += v[i];
                }
            }
            channelSums[c] = sum;
        });
        return channelSums;
    }

    float min() {
        requireSeen();
        return min;
    }

    float max() {
        requireSeen();
        return max;
    }

    Histogram histogram() {
        requireSeen();
        return merged;
    }

    /** The per-channel mean along {@code axis}, which {@link #keepMean} asked for. */
    double[] channelMean(int axis) {
        requireSeen();
        double[] s = sums.get(axis);
        double[] mean = new double[s.length];
        for (int c = 0; c < mean.length; c++) {
            mean[c] = s[c] / counts.get(axis);
        }
        return mean;
    }

    private void requireSeen() {
        if (min > max) {
            throw new IllegalStateException("No representative data reached '" + name + "'; give at least one batch");
        }
    }
}
