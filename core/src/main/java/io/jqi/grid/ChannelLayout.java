package io.jqi.quant;

import io.jqi.tensor.Shape;

/**
 * A row-major tensor seen as {@code [outer, channels, inner]} around one channel axis, so that per-channel
 * parameters ({@code [channels]}) broadcast without transposing. Per-tensor quantization is one channel.
 */
public record ChannelLayout(int outer, int channels, int inner) {

    public static ChannelLayout perTensor(Shape shape) {
        return new ChannelLayout(1, 1, shape.numel());
    }

    /** The layout around {@code axis}, which may be negative ({@code -rank <= axis < rank}). */
    public static ChannelLayout around(Shape shape, int axis) {
        int a = shape.normalizeAxis(axis);
        return new ChannelLayout(shape.sizeBefore(a), shape.dim(a), shape.sizeAfter(a));
    }

    public int size() {
        return outer * channels * inner;
    }

    /** Receives one contiguous run of elements {@code [from, to)} that all belong to {@code channel}. */
    @FunctionalInterface
    public interface RunVisitor {
        void visit(int channel, int from, int to);
    }

    /**
     * Visits the {@code outer * channels} contiguous runs of {@code inner} elements in storage order, so a grid reads
     * its per-channel parameters once per run and keeps the element loop tight.
     */
    public void forEachRun(RunVisitor visitor) {
        int from = 0;
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++) {
                visitor.visit(c, from, from + inner);
                from += inner;
            }
        }
    }
}
