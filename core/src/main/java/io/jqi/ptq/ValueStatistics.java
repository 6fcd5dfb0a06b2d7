package io.jqi.ptq;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the representative data showed of one value of the model (a graph input or a node's output), accumulated
 * batch by batch (docs/quantizer-contract.md#ptq-statistics): min and max, the merged histogram, and the
 * per-channel means that bias correction asks for.
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

    void accept(Tensor value) {
        float[] v = value.toFloatArray();
        if (v.length == 0) {
            return;
        }
        ValueRange range = requireFiniteAndWiden(v);
        if (histogram) {
            Histogram h = Histogram.of(v, Histogram.BINS, range.min(), range.max());
            merged = merged == null ? h : merged.merge(h);
        }
        for (int axis : meanAxes) {
            accumulateMean(axis, v, value.shape());
        }
    }

    /** Widens min and max to {@code v}'s and returns {@code v}'s range; names a non-finite value if there is one. */
    private ValueRange requireFiniteAndWiden(float[] v) {
        ValueRange range = ValueRange.of(v);
        if (range.nonFinite() > 0) {
            throw new IllegalArgumentException("The representative data makes '" + name + "' non-finite ("
                    + range.oneNonFinite() + "); check the data and the float model before quantizing");
        }
        min = Math.min(min, range.min());
        max = Math.max(max, range.max());
        return range;
    }

    /**
     * Adds each channel's values to its sum in storage order, channels in parallel: the same sums on any thread
     * count.
     */
    private void accumulateMean(int axisAsked, float[] v, Shape shape) {
        int axis = Math.min(axisAsked, shape.rank() - 1);
        int channels = shape.dim(axis);
        int inner = shape.sizeAfter(axis);
        double[] s = sums.get(axisAsked);
        if (s == null) {
            s = new double[channels];
            sums.put(axisAsked, s);
        } else if (s.length != channels) {
            throw new IllegalArgumentException("'" + name + "' changes its channel count between batches ("
                    + s.length + " then " + channels + ")");
        }
        double[] channelSums = s;
        int outer = v.length / (channels * inner);
        Chunks.forEach(channels, v.length, c -> {
            double sum = channelSums[c];
            for (int o = 0; o < outer; o++) {
                for (int i = (o * channels + c) * inner, end = i + inner; i < end; i++) {
                    sum += v[i];
                }
            }
            channelSums[c] = sum;
        });
        counts.merge(axisAsked, (long) (v.length / channels), Long::sum);
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
