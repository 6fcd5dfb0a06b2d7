package io.jqi.nn;

import io.jqi.tensor.Tensor;
import java.util.Arrays;

/**
 * The mean over some axes, keeping them as size 1 or dropping them: ONNX's ReduceMean (MnasNet's pooling,
 * the statistics of a decomposed LayerNorm). Negative axes count from the end; no axes means every axis.
 */
public final class Mean extends Module {
    private final int[] axes;
    private final boolean keepDims;

    public Mean(int[] axes, boolean keepDims) {
        int[] sorted = axes.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("Mean: axis " + sorted[i] + " is given twice in "
                        + Arrays.toString(axes));
            }
        }
        this.axes = axes.clone();
        this.keepDims = keepDims;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        Tensor x = singleInput(inputs);
        int[] over = axes;
        if (over.length == 0) {
            over = new int[x.rank()];
            Arrays.setAll(over, i -> i);
        }
        boolean[] seen = new boolean[x.rank()];
        for (int axis : over) {
            if (axis < -x.rank() || axis >= x.rank()) {
                throw new IllegalArgumentException("Mean over axes " + Arrays.toString(axes) + " needs an input of "
                        + "rank above " + Math.max(axis, -axis - 1) + ", got " + x.shape());
            }
            int a = axis < 0 ? axis + x.rank() : axis;
            if (seen[a]) {
                throw new IllegalArgumentException("Mean: axes " + Arrays.toString(axes) + " name axis " + a
                        + " twice for an input of rank " + x.rank());
            }
            seen[a] = true;
        }
        return x.mean(over, keepDims);
    }

    /** The axes; empty for every axis. */
    public int[] axes() {
        return axes.clone();
    }

    public boolean keepDims() {
        return keepDims;
    }
}
