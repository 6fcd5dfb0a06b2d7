package io.jqi.data;

import io.jqi.tensor.Tensor;

/** A mini-batch: the examples stacked along a new first axis, {@code [B, ...]}, and their labels. */
public record Batch(Tensor inputs, int[] labels) {
    public int size() {
        return labels.length;
    }
}
