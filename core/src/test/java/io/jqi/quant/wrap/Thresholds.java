package io.jqi.quant.wrap;

import io.jqi.tensor.Tensor;

/** Per-channel starting thresholds for the wrapper tests (PTQ proper comes with the QAT flow). */
final class Thresholds {
    private Thresholds() {
    }

    /** For each output channel (axis 0), the largest |w| times {@code margin}. */
    static float[] maxAbsPerRow(Tensor w, float margin) {
        int rows = w.shape().dim(0);
        int cols = w.numel() / rows;
        float[] v = w.toFloatArray();
        float[] t = new float[rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[r] = Math.max(t[r], Math.abs(v[r * cols + c]) * margin);
            }
        }
        return t;
    }
}
