package io.jqi.nn;

import io.jqi.tensor.Tensor;
import java.util.Arrays;

/**
 * Takes {@code lengths[i]} entries of axis {@code axes[i]} from {@code starts[i]}, for each sliced axis: ONNX's Slice
 * with steps of 1 (ShuffleNet's channel split), its starts and ends already resolved against the input's shape.
 */
public final class Slice extends Module implements DataMovement {
    private final int[] axes;
    private final int[] starts;
    private final int[] lengths;

    public Slice(int[] axes, int[] starts, int[] lengths) {
        if (axes.length == 0 || starts.length != axes.length || lengths.length != axes.length) {
            throw new IllegalArgumentException("Slice needs one start and one length per axis, got axes "
                    + Arrays.toString(axes) + ", starts " + Arrays.toString(starts) + ", lengths "
                    + Arrays.toString(lengths));
        }
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] < 0 || starts[i] < 0 || lengths[i] < 0) {
                throw new IllegalArgumentException("Slice: axes, starts and lengths must not be negative, got axis "
                        + axes[i] + ", start " + starts[i] + ", length " + lengths[i]);
            }
            for (int j = 0; j < i; j++) {
                if (axes[j] == axes[i]) {
                    throw new IllegalArgumentException("Slice: axis " + axes[i] + " is sliced twice");
                }
            }
        }
        this.axes = axes.clone();
        this.starts = starts.clone();
        this.lengths = lengths.clone();
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        Tensor x = singleInput(inputs);
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] >= x.rank() || (long) starts[i] + lengths[i] > x.shape().dim(axes[i])) {
                throw new IllegalArgumentException("Slice of " + lengths[i] + " entries from " + starts[i]
                        + " on axis " + axes[i] + " does not fit an input of shape " + x.shape());
            }
            x = x.narrow(axes[i], starts[i], lengths[i]);
        }
        return x;
    }

    public int[] axes() {
        return axes.clone();
    }

    public int[] starts() {
        return starts.clone();
    }

    public int[] lengths() {
        return lengths.clone();
    }
}
