package io.jqi.nn;

import io.jqi.tensor.Functional;
import io.jqi.tensor.Tensor;
import java.util.Random;

/**
 * Inverted dropout: in training each element is zeroed with probability {@code p} and the survivors are scaled by
 * {@code 1 / (1 - p)}; in eval mode it is the identity. The masks come from the layer's own generator, so a seeded
 * run is reproducible.
 */
public final class Dropout extends Module implements DataMovement {
    private final float p;
    private final Random random;

    public Dropout(float p, Random random) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        }
        if (random == null) {
            throw new IllegalArgumentException("Dropout needs a Random for its masks; pass a seeded one");
        }
        this.p = p;
        this.random = random;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return Functional.dropout(singleInput(inputs), p, isTraining(), random);
    }

    /** The probability of zeroing an element. */
    public float p() {
        return p;
    }
}
