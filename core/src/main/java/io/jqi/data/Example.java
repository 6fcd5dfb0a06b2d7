package io.jqi.data;

import io.jqi.tensor.Shape;

/**
 * One labelled example: the input's values, row-major in {@code shape} (no batch axis), and a class index. The
 * array is the example's own: a {@link Dataset} hands out a fresh one per call.
 */
public record Example(float[] input, Shape shape, int label) {
    public Example {
        if (input.length != shape.numel()) {
            throw new IllegalArgumentException("Example of shape " + shape + " needs " + shape.numel()
                    + " values, got " + input.length);
        }
    }
}
