package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The CPU's one-pass ReLU gradient against {@link Backend}'s composition: a mask, then a product. */
class ReluGradientTest {
    @Test
    void theFusedGradientGivesTheMaskedProductsBitsForSignedZerosInfinitiesAndNaN() {
        float[] special = {0f, -0f, 1f, -2.5f, Float.MIN_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.NaN};
        int n = special.length * special.length;
        float[] dy = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            dy[i] = special[i / special.length];
            y[i] = special[i % special.length];
        }
        Shape shape = Shape.of(n);
        Storage g = CpuBackend.INSTANCE.fromHost(dy);
        Storage out = CpuBackend.INSTANCE.fromHost(y);
        float[] expected = ComposedBackend.cpu().reluGradient(g, out, shape).toHostArray();
        float[] actual = CpuBackend.INSTANCE.reluGradient(g, out, shape).toHostArray();
        assertArrayEquals(expected, actual);
    }

    @Test
    void aReluPassesItsGradientWhereItsOutputIsPositive() {
        Tensor x = Tensor.of(new float[] {-1f, 0f, 2f, Float.NaN}, 4).requiresGrad(true);
        x.relu().backward(Tensor.of(new float[] {5f, 6f, 7f, 8f}, 4));
        assertArrayEquals(new float[] {0f, 0f, 7f, 0f}, x.grad().toFloatArray());
    }
}
