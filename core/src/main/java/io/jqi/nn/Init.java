package io.jqi.nn;

import io.jqi.tensor.Tensor;
import java.util.Random;

/** PyTorch's default initialisation of dense and convolution layers, drawn from a caller-seeded generator. */
final class Init {
    private Init() {
    }

    /**
     * {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}, which is both of PyTorch's defaults: weights use
     * {@code kaiming_uniform_(a=sqrt(5))}, whose gain {@code sqrt(2 / (1 + a^2)) = sqrt(1/3)} times
     * {@code sqrt(3 / fanIn)} gives that bound, and biases use it directly.
     */
    static Tensor uniform(Random random, int fanIn, int... shape) {
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        return Tensor.uniform(random, -bound, bound, shape);
    }
}
