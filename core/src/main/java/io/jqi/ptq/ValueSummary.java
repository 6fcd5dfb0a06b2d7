package io.jqi.ptq;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one batch showed of one value of the model: its range, its histogram over that range, and the per-channel
 * sums that bias correction asks for, each sum started from zero in this batch. The statistics of the whole
 * representative data fold these in batch order (docs/quantizer-contract.md#ptq-statistics), so summaries computed
 * anywhere, on other threads or other machines, and folded in the same order give the same statistics, bit for bit.
 */
public final class ValueSummary implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A value that was empty in its batch: it widens nothing and adds nothing. */
    static final ValueSummary EMPTY = new ValueSummary(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, null,
            new TreeMap<>(), 0);

    private final float min;
    private final float max;
    private final Histogram histogram;
    private final TreeMap<Integer, double[]> channelSums;
    private final long count;

    ValueSummary(float min, float max, Histogram histogram, TreeMap<Integer, double[]> channelSums, long count) {
        this.min = min;
        this.max = max;
        this.histogram = histogram;
        this.channelSums = channelSums;
        this.count = count;
    }

    float min() {
        return min;
    }

    float max() {
        return max;
    }

    /** The batch's histogram over its own range, or null when the value's statistics keep none. */
    Histogram histogram() {
        return histogram;
    }

    /** Per mean axis, each channel's values summed from zero in storage order. */
    Map<Integer, double[]> channelSums() {
        return channelSums;
    }

    /** The batch's element count: the values each channel sum covers, times the channel count. */
    long count() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }
}
