package io.jqi.tensor;

import java.util.Random;

/** Inverted dropout: survivors are scaled up during training so that inference needs no rescaling. */
final class Dropout {
    private Dropout() {
    }

    static Tensor dropout(Tensor x, float p, boolean training, Random random) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1) but is " + p
                    + (p == 1f ? "; p = 1 would drop every value" : ""));
        }
        if (!training || p == 0f) {
            return x;
        }
        if (random == null) {
            throw new IllegalArgumentException("dropout: training with p > 0 needs a Random to draw the mask; pass a "
                    + "seeded one for reproducible runs");
        }
        // The mask is drawn in row-major order on the host so that a seed reproduces it on any device.
        float scale = 1f / (1f - p);
        float[] mask = new float[x.numel()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextFloat() >= p ? scale : 0f;
        }
        return x.mul(Tensor.ofStorage(x.shape(), x.backend().fromHost(mask)));
    }
}
