package io.jqi.grid;

import java.util.Arrays;

/**
 * A row-major tensor seen as {@code [outer, channels, inner]} around one channel axis, so that per-channel
 * parameters ({@code [channels]}) broadcast without transposing. Per-tensor quantization is one channel.
 */
public record ChannelLayout(int outer, int channels, int inner) {

    /** The whole tensor of {@code size} elements as one channel. */
    public static ChannelLayout perTensor(int size) {
        return new ChannelLayout(1, 1, size);
    }

    /**
     * The layout of a tensor of extents {@code dims} around {@code axis}, which may be negative
     * ({@code -rank <= axis < rank}).
     */
    public static ChannelLayout around(int[] dims, int axis) {
        int rank = dims.length;
        if (axis < -rank || axis >= rank) {
            throw new IllegalArgumentException("Axis " + axis + " is out of range for shape " + Arrays.toString(dims)
                    + ": it must satisfy " + (-rank) + " <= axis < " + rank);
        }
        int a = axis < 0 ? axis + rank : axis;
        int outer = 1;
        for (int d = 0; d < a; d++) {
            outer *= dims[d];
        }
        int inner = 1;
        for (int d = a + 1; d < rank; d++) {
            inner *= dims[d];
        }
        return new ChannelLayout(outer, dims[a], inner);
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
