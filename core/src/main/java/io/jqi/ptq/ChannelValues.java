package io.jqi.ptq;

import io.jqi.grid.ChannelLayout;
import io.jqi.tensor.Tensor;

/**
 * A weight tensor regrouped as {@code [channels, length]} rows, one per channel along the channel axis (the
 * reference's transpose-and-reshape), or one row for the whole tensor; with each row's min and max.
 */
final class ChannelValues {
    final float[] values;
    final int channels;
    final int length;
    final float[] min;
    final float[] max;

    private ChannelValues(float[] values, int channels, int length) {
        this.values = values;
        this.channels = channels;
        this.length = length;
        this.min = new float[channels];
        this.max = new float[channels];
        for (int c = 0; c < channels; c++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int i = c * length; i < (c + 1) * length; i++) {
                lo = Math.min(lo, values[i]);
                hi = Math.max(hi, values[i]);
            }
            min[c] = lo;
            max[c] = hi;
        }
    }

    /**
     * The rows of {@code weights}: per channel along {@code channelAxis} (negative counts from the end) when
     * {@code perChannel}, else one row; the axis is ignored per tensor.
     *
     * @throws IllegalArgumentException when the tensor is empty, holds NaN or infinities, or the axis is out of
     *     range
     */
    static ChannelValues of(Tensor weights, boolean perChannel, int channelAxis) {
        if (weights == null) {
            throw new IllegalArgumentException("weights are required");
        }
        float[] flat = weights.toFloatArray();
        if (flat.length == 0) {
            throw new IllegalArgumentException("weights of shape " + weights.shape() + " hold no values to choose "
                    + "quantization parameters from");
        }
        int nonFinite = 0;
        for (float v : flat) {
            if (!Float.isFinite(v)) {
                nonFinite++;
            }
        }
        if (nonFinite > 0) {
            throw new IllegalArgumentException("weights must be finite, but " + nonFinite + " of " + flat.length
                    + " values are NaN or infinite");
        }
        if (!perChannel) {
            return new ChannelValues(flat, 1, flat.length);
        }
        int rank = weights.rank();
        if (channelAxis < -rank || channelAxis >= rank) {
            throw new IllegalArgumentException("channelAxis " + channelAxis + " is out of range for weights of shape "
                    + weights.shape() + ": use " + (-rank) + " <= channelAxis < " + rank
                    + (rank == 0 ? " (a scalar has no channels; quantize it per tensor)" : ""));
        }
        ChannelLayout layout = ChannelLayout.around(weights.shape().toArray(), channelAxis);
        int channels = layout.channels();
        int length = layout.outer() * layout.inner();
        float[] rows = new float[flat.length];
        int[] filled = new int[channels];
        layout.forEachRun((c, from, to) -> {
            System.arraycopy(flat, from, rows, c * length + filled[c], to - from);
            filled[c] += to - from;
        });
        return new ChannelValues(rows, channels, length);
    }
}
